/**
 * Members, invites and API tokens of the request's tenant (owners only). Filled in by the
 * accounts work of issue 5.
 * @module
 */
import { Hono } from "hono";
import type { ApiEnv, AppDeps } from "./deps.ts";

/** The `/members`, `/invites` and `/tokens` routes, mounted at `/api/v1`. */
export function memberRoutes(_deps: AppDeps): Hono<ApiEnv> {
  return new Hono<ApiEnv>();
}
