/**
 * Saved connections of the request's tenant. Filled in by the vault work of issue 5.
 * @module
 */
import { Hono } from "hono";
import type { ApiEnv, AppDeps } from "./deps.ts";

/** The `/connections` routes, mounted at `/api/v1/connections`. */
export function connectionRoutes(_deps: AppDeps): Hono<ApiEnv> {
  return new Hono<ApiEnv>();
}
