/**
 * Roles on routes: owners do everything, editors change pipelines and connections and start
 * runs, viewers read runs and reports. Enforced here, on the server, for every route.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Role } from "../accounts/store.ts";
import type { ApiEnv } from "./deps.ts";
import { ApiError } from "./http.ts";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/** Whether `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

const WHAT: Record<Role, string> = {
  viewer: "members",
  editor: "editors and owners",
  owner: "owners",
};

/**
 * Middleware refusing requests whose principal's role is below `needed` with a 403 that says
 * who may do it.
 *
 * @example
 * ```ts
 * api.post("/pipelines", requireRole("editor"), handler);
 * ```
 */
export function requireRole(needed: Role): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal || !roleAtLeast(principal.role, needed)) {
      throw new ApiError(
        403,
        `Only ${WHAT[needed]} may do this; your role is ${principal?.role ?? "none"}.`,
      );
    }
    await next();
  };
}
