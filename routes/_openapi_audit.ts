/**
 * The audit log part of the OpenAPI document: `GET /api/v1/audit` (routes/api_audit.ts), whose
 * entries are audit/log.ts `AuditEntry`.
 * @module
 */
import type { AuditAction } from "../audit/log.ts";
import { AuditQuery } from "./api_audit.ts";
import { answer, denied, errors, queryParams, ref } from "./_openapi_shared.ts";

/** Every audit action; `deno check` fails here when audit/log.ts gains one not listed. */
const AUDIT_ACTIONS = [
  "signin.succeeded",
  "signin.failed",
  "signout",
  "signup",
  "member.invited",
  "member.joined",
  "member.role_changed",
  "member.removed",
  "token.created",
  "token.revoked",
  "connection.created",
  "connection.updated",
  "connection.deleted",
  "connection.tested",
  "pipeline.created",
  "pipeline.updated",
  "run.started",
  "run.cancelled",
  "download",
  "settings.changed",
] as const satisfies readonly AuditAction[];
type Unlisted = Exclude<AuditAction, (typeof AUDIT_ACTIONS)[number]>;
const _allListed: [Unlisted] extends [never] ? true : Unlisted = true;

const ownersRead = denied("owners", false);
const str = { type: "string" };
const time = { type: "string", format: "date-time" };

/** Schemas of `components.schemas` for the audit log. */
export const auditSchemas = {
  AuditEntry: {
    type: "object",
    required: ["id", "at", "actor", "action"],
    properties: {
      id: str,
      at: time,
      actor: {
        type: "string",
        description:
          'A member\'s email, `token "<name>"`, `webhook`, `schedule`, or `unknown` for failures',
      },
      action: { type: "string", enum: [...AUDIT_ACTIONS] },
      target: { type: "string", description: "The pipeline, run, connection or member concerned" },
      detail: {
        type: "object",
        description: "Small plain fields; never secrets",
        additionalProperties: { type: ["string", "number", "boolean", "null"] },
      },
      ip: { type: "string", description: "The client address, for sign-ins" },
    },
  },
};

/** The path of the audit log. */
export function auditPaths(): Record<string, unknown> {
  return {
    "/api/v1/audit": {
      get: {
        summary: "The tenant's audit log, newest first",
        parameters: queryParams(AuditQuery),
        responses: {
          "200": answer("A page of entries; `next` is the cursor of the following page", {
            type: "object",
            properties: {
              entries: { type: "array", items: ref("AuditEntry") },
              next: { type: ["string", "null"] },
            },
          }),
          "400": errors["400"],
          "401": errors["401"],
          "403": ownersRead,
        },
      },
    },
  };
}
