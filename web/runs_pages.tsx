/**
 * Runs pages under `/app/runs`. Filled in by the dashboard work of issue 6.
 * @module
 */
import { Hono } from "hono";
import type { AppDeps } from "../routes/deps.ts";
import type { PageEnv } from "./page.ts";

/** The `/app/runs` routes. */
export function runsPages(_deps: AppDeps): Hono<PageEnv> {
  return new Hono<PageEnv>();
}
