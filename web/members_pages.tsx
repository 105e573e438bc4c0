/**
 * Owners' pages, mounted at `/app`: members (change role, remove after a confirm page, invite),
 * API tokens (create, revoke) and the audit log. They call what the JSON API calls
 * (routes/api_members.ts) and write the same audit entries. Invite links and tokens are shown
 * once, in the answer to the form that made them (not after a redirect: that would mean keeping
 * the secret somewhere to show it again), and never logged.
 * @module
 */
import { type Context, Hono } from "hono";
import { createInvite } from "../accounts/invites.ts";
import {
  getUser,
  listMembers,
  removeMember,
  type Role,
  ROLES,
  setRole,
} from "../accounts/store.ts";
import { type AuditInput, listAudit, recordAudit } from "../audit/log.ts";
import { ConfigError } from "../etl/errors.ts";
import { createApiToken, listApiTokens, revokeApiToken } from "../routes/api_tokens.ts";
import type { AppDeps } from "../routes/deps.ts";
import { urlFor } from "../routes/http.ts";
import { field, html, type PageEnv, pageRole } from "./page.ts";
import { doneNotice, missingPage } from "./page_kit.tsx";
import { AuditPage } from "./pages/AuditPage.tsx";
import { MembersPage, type MembersPageProps, RemoveMemberPage } from "./pages/MembersPage.tsx";
import { TokensPage, type TokensPageProps } from "./pages/TokensPage.tsx";
import { refusedPage } from "./refused.tsx";

const MEMBER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN_ID = /^[0-9a-f]{32}$/;
const AUDIT_PAGE = 50;

const MEMBER_NOTICES = {
  role: "The role was changed. It applies at once, also to sessions already open.",
  removed: "The member was removed and signed out everywhere.",
};
const TOKEN_NOTICES = { revoked: "The token was revoked. It stops working at once." };

/** A role from a form, or undefined when it is not one. */
const roleOf = (raw: string): Role | undefined =>
  (ROLES as readonly string[]).includes(raw) ? raw as Role : undefined;

/** The routes, mounted at `/app`. */
export function membersPages(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>();
  const kv = deps.engine.kv;
  type C = Context<PageEnv>;
  const owner = pageRole("owner", refusedPage);
  for (const path of ["/members", "/members/*", "/tokens", "/tokens/*", "/audit"]) {
    pages.use(path, owner);
  }

  const audit = (c: C, entry: Omit<AuditInput, "actor">) =>
    recordAudit(kv, c.get("tenant"), { actor: c.get("principal").label, ...entry });
  const memberOf = async (c: C) => {
    const id = c.req.param("id") ?? "";
    return MEMBER_ID.test(id) ? await getUser(kv, c.get("tenant"), id) : undefined;
  };
  const noMember = (c: C) => missingPage(c, `There is no member with id "${c.req.param("id")}".`);

  const showMembers = async (
    c: C,
    extra: Omit<MembersPageProps, "principal" | "members"> = {},
    status: 200 | 400 | 409 = 200,
  ) => {
    const members = await listMembers(kv, c.get("tenant"));
    const notice = extra.error || extra.invite ? undefined : doneNotice(c, MEMBER_NOTICES);
    return html(
      c,
      <MembersPage principal={c.get("principal")} members={members} notice={notice} {...extra} />,
      status,
    );
  };

  pages.get("/members", (c) => showMembers(c));

  pages.post("/members/invite", async (c) => {
    const role = roleOf(field(await c.req.parseBody(), "role"));
    if (!role) return await showMembers(c, { error: "Choose a role for the new member." }, 400);
    const by = c.get("principal").userId!;
    let invite;
    try {
      invite = await createInvite(kv, c.get("tenant"), role, by);
    } catch (error) {
      if (error instanceof ConfigError) return refusedPage(c, error.message);
      throw error;
    }
    await audit(c, { action: "member.invited", detail: { role, expiresAt: invite.expiresAt } });
    const url = urlFor(c, deps.publicUrl, `/auth/invite/${invite.token}`);
    return await showMembers(c, { invite: { url, role, expiresAt: invite.expiresAt } });
  });

  pages.post("/members/:id/role", async (c) => {
    const before = await memberOf(c);
    if (!before) return noMember(c);
    const role = roleOf(field(await c.req.parseBody(), "role"));
    if (!role) return await showMembers(c, { error: "Choose one of the three roles." }, 400);
    try {
      if (!await setRole(kv, c.get("tenant"), before.id, role)) return noMember(c);
    } catch (error) {
      if (error instanceof ConfigError) {
        return await showMembers(c, { error: `${error.message}.` }, 409);
      }
      throw error;
    }
    if (before.role !== role) {
      await audit(c, {
        action: "member.role_changed",
        target: before.id,
        detail: { email: before.email, from: before.role, to: role },
      });
    }
    return c.redirect("/app/members?done=role", 303);
  });

  pages.get("/members/:id/remove", async (c) => {
    const member = await memberOf(c);
    if (!member) return noMember(c);
    return html(c, <RemoveMemberPage principal={c.get("principal")} member={member} />);
  });

  pages.post("/members/:id/remove", async (c) => {
    const member = await memberOf(c);
    if (!member) return noMember(c);
    try {
      if (!await removeMember(kv, c.get("tenant"), member.id)) return noMember(c);
    } catch (error) {
      if (error instanceof ConfigError) {
        return await showMembers(c, { error: `${error.message}.` }, 409);
      }
      throw error;
    }
    await deps.sessions?.revokeAllOf(c.get("tenant"), member.id);
    await audit(c, {
      action: "member.removed",
      target: member.id,
      detail: { email: member.email },
    });
    return c.redirect("/app/members?done=removed", 303);
  });

  const showTokens = async (
    c: C,
    extra: Omit<TokensPageProps, "principal" | "tokens"> = {},
    status: 200 | 400 = 200,
  ) => {
    const tokens = await listApiTokens(kv, c.get("tenant"));
    const notice = extra.created || extra.form ? undefined : doneNotice(c, TOKEN_NOTICES);
    return html(
      c,
      <TokensPage principal={c.get("principal")} tokens={tokens} notice={notice} {...extra} />,
      status,
    );
  };

  pages.get("/tokens", (c) => showTokens(c));

  pages.post("/tokens", async (c) => {
    const form = await c.req.parseBody();
    const name = field(form, "name");
    const role = roleOf(field(form, "role")) ?? "editor";
    if (name === "" || name.length > 100) {
      const error = name === ""
        ? 'Give the token a name, e.g. "nightly export", so you recognise it later.'
        : `The name is ${name.length} characters long; keep it to 100 or fewer.`;
      return await showTokens(c, { form: { name, role, error } }, 400);
    }
    const made = await createApiToken(kv, c.get("tenant"), {
      name,
      role,
      createdBy: c.get("principal").userId,
    });
    await audit(c, {
      action: "token.created",
      target: made.id,
      detail: { name: made.name, role: made.role },
    });
    return await showTokens(c, { created: { name: made.name, token: made.token, role } });
  });

  pages.post("/tokens/:id/revoke", async (c) => {
    const id = c.req.param("id");
    if (!TOKEN_ID.test(id) || !await revokeApiToken(kv, c.get("tenant"), id)) {
      return missingPage(c, `There is no API token with id "${id}".`);
    }
    await audit(c, { action: "token.revoked", target: id });
    return c.redirect("/app/tokens?done=revoked", 303);
  });

  pages.get("/audit", async (c) => {
    const cursor = c.req.query("cursor") || undefined;
    let page;
    try {
      page = await listAudit(kv, c.get("tenant"), { limit: AUDIT_PAGE, cursor });
    } catch {
      // A cursor from elsewhere (or garbled): start again from the newest.
      page = await listAudit(kv, c.get("tenant"), { limit: AUDIT_PAGE });
    }
    return html(
      c,
      <AuditPage
        principal={c.get("principal")}
        entries={page.entries}
        next={page.next ?? undefined}
        first={!cursor}
      />,
    );
  });

  return pages;
}
