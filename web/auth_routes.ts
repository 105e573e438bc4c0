/**
 * Sign-up, sign-in, sign-out and invite acceptance (forms and JSON). Filled in by the accounts
 * work of issue 5.
 * @module
 */
import { Hono } from "hono";
import type { AppDeps } from "../routes/deps.ts";

/** The `/auth` routes. */
export function authRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
