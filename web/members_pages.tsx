/**
 * Pages under /app/members, /app/tokens, /app/audit. Filled in by the dashboard work of issue 6.
 * @module
 */
import { Hono } from "hono";
import type { AppDeps } from "../routes/deps.ts";
import type { PageEnv } from "./page.ts";

/** The routes, mounted at `/app`. */
export function membersPages(_deps: AppDeps): Hono<PageEnv> {
  return new Hono<PageEnv>();
}
