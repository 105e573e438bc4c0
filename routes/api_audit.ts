/**
 * `GET /api/v1/audit`: the tenant's audit log, newest first, for owners.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { listAudit } from "../audit/log.ts";
import type { ApiEnv, AppDeps } from "./deps.ts";
import { checked } from "./http.ts";
import { requireRole } from "./roles.ts";

/** Query of `GET /audit`. */
export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50)
    .describe("How many entries to return (1 to 200)"),
  cursor: z.string().min(1).max(2_000).optional().describe("The `next` value of the previous page"),
});

/** The `/audit` route, mounted at `/api/v1`. */
export function auditRoutes(deps: AppDeps): Hono<ApiEnv> {
  const audit = new Hono<ApiEnv>();
  audit.get("/audit", requireRole("owner"), async (c) => {
    const q = checked(AuditQuery, c.req.query(), "The query");
    return c.json(await listAudit(deps.engine.kv, c.get("tenant"), q));
  });
  return audit;
}
