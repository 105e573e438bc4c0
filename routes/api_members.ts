/**
 * Members, invites and API tokens of the request's tenant, for owners only. Every id is looked
 * up under the principal's tenant, so another tenant's member or token is a 404. Every change
 * goes to the audit log with the principal as actor; tokens and invite links are shown once, in
 * the answer that makes them, and never logged.
 * @module
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { createInvite } from "../accounts/invites.ts";
import { getUser, listMembers, removeMember, setRole } from "../accounts/store.ts";
import { type AuditInput, recordAudit } from "../audit/log.ts";
import { ConfigError } from "../etl/errors.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "./api_tokens.ts";
import type { ApiEnv, AppDeps } from "./deps.ts";
import { ApiError, checked, jsonBody, urlFor } from "./http.ts";
import { requireRole } from "./roles.ts";

const RoleInput = z.enum(["owner", "editor", "viewer"])
  .describe("owner (everything), editor (pipelines, connections, runs) or viewer (read only)");

/** Body of `PATCH /members/:id`. */
export const ChangeMemberBody = z.object({ role: RoleInput }).strict();
/** Body of `POST /invites`. */
export const CreateInviteBody = z.object({ role: RoleInput }).strict();
/** Body of `POST /tokens`. */
export const CreateTokenBody = z.object({
  name: z.string().describe('What the token is for, e.g. "nightly export"'),
  role: RoleInput.optional().describe("What the token may do; default editor"),
}).strict();

const MemberId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a member id");
const TokenId = z.string().regex(/^[0-9a-f]{32}$/, "must be 32 hex digits");

/** The `/members`, `/invites` and `/tokens` routes, mounted at `/api/v1`. */
export function memberRoutes(deps: AppDeps): Hono<ApiEnv> {
  // Mounted at "/", so no `use("*")` here: it would guard every API route. Each route says it.
  const routes = new Hono<ApiEnv>();
  const kv = deps.engine.kv;
  const owner = requireRole("owner");
  type C = Context<ApiEnv>;

  const audit = (c: C, entry: Omit<AuditInput, "actor">) =>
    recordAudit(kv, c.get("tenant"), { actor: c.get("principal").label, ...entry });
  const memberOf = async (c: C) => {
    const id = checked(MemberId, c.req.param("id"), "The member id");
    const user = await getUser(kv, c.get("tenant"), id);
    if (!user) throw new ApiError(404, `There is no member with id "${id}".`);
    return user;
  };
  /** The last-owner guard of accounts/store.ts as a 409 with its sentence. */
  const guarded = async <T>(change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } catch (error) {
      if (error instanceof ConfigError) throw new ApiError(409, error.message);
      throw error;
    }
  };

  routes.get("/members", owner, async (c) => {
    const members = await listMembers(kv, c.get("tenant"));
    return c.json({
      members: members.map(({ id, email, role, createdAt }) => ({ id, email, role, createdAt })),
    });
  });

  routes.patch("/members/:id", owner, async (c) => {
    const before = await memberOf(c);
    const { role } = await jsonBody(c, ChangeMemberBody);
    const after = await guarded(() => setRole(kv, c.get("tenant"), before.id, role));
    if (!after) throw new ApiError(404, `There is no member with id "${before.id}".`);
    if (before.role !== role) {
      await audit(c, {
        action: "member.role_changed",
        target: before.id,
        detail: { email: before.email, from: before.role, to: role },
      });
    }
    // Their sessions read the role on every request: the change applies at once.
    const { id, email, createdAt } = after;
    return c.json({ id, email, role: after.role, createdAt });
  });

  routes.delete("/members/:id", owner, async (c) => {
    const member = await memberOf(c);
    const removed = await guarded(() => removeMember(kv, c.get("tenant"), member.id));
    if (!removed) throw new ApiError(404, `There is no member with id "${member.id}".`);
    await deps.sessions?.revokeAllOf(c.get("tenant"), member.id);
    await audit(c, {
      action: "member.removed",
      target: member.id,
      detail: { email: member.email },
    });
    return c.body(null, 204);
  });

  routes.post("/invites", owner, async (c) => {
    const { role } = await jsonBody(c, CreateInviteBody);
    const by = c.get("principal").userId;
    if (!by) {
      throw new ApiError(
        403,
        "Invites are made by a signed-in owner; this API token belongs to no member.",
      );
    }
    let invite;
    try {
      invite = await createInvite(kv, c.get("tenant"), role, by);
    } catch (error) {
      // The role was checked above: what is left is "you are no longer an owner".
      if (error instanceof ConfigError) throw new ApiError(403, error.message);
      throw error;
    }
    await audit(c, { action: "member.invited", detail: { role, expiresAt: invite.expiresAt } });
    // The only answer that shows the invite token.
    return c.json({
      url: urlFor(c, deps.publicUrl, `/auth/invite/${invite.token}`),
      token: invite.token,
      role,
      expiresAt: invite.expiresAt,
    }, 201);
  });

  routes.get("/tokens", owner, async (c) => {
    return c.json({ tokens: await listApiTokens(kv, c.get("tenant")) });
  });

  routes.post("/tokens", owner, async (c) => {
    const { name, role } = await jsonBody(c, CreateTokenBody);
    const createdBy = c.get("principal").userId;
    const made = await createApiToken(kv, c.get("tenant"), { name, role, createdBy });
    await audit(c, {
      action: "token.created",
      target: made.id,
      detail: { name: made.name, role: made.role },
    });
    // The only answer that shows the token.
    return c.json(made, 201);
  });

  routes.delete("/tokens/:id", owner, async (c) => {
    const id = checked(TokenId, c.req.param("id"), "The token id");
    if (!await revokeApiToken(kv, c.get("tenant"), id)) {
      throw new ApiError(404, `There is no API token with id "${id}".`);
    }
    await audit(c, { action: "token.revoked", target: id });
    return c.body(null, 204);
  });

  return routes;
}
