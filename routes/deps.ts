/**
 * What the HTTP app runs with, shared by `app.ts` and the routes.
 * @module
 */
import type { EngineDeps } from "../runs/engine.ts";
import type { Authenticator } from "./auth.ts";

/** Dependencies of {@link createApp} (app.ts). */
export interface AppDeps {
  /** The run engine (KV, queue, roots); `engine.kv` also holds pipelines. */
  engine: EngineDeps;
  /** Bearer token → tenant; issue 5 replaces the fixed token map with accounts. */
  auth: Authenticator;
  /** Base of the absolute URLs in answers, e.g. `https://portal.example.org`; default: the request's origin. */
  publicUrl?: string;
  /** Where unexpected errors are logged; default `console.error`. */
  log?: (line: string) => void;
}

/** Hono variables of authenticated API requests. */
export interface ApiEnv {
  Variables: { tenant: string };
}
