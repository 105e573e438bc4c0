import assert from "node:assert/strict";
import { listAudit } from "../audit/log.ts";
import { type AccountsApp, PASSWORD, sessionCookieOf, withAccountsApp } from "../web/_testing.ts";
import { invited } from "../web/_pages_testing.ts";
import { patientsSpec, TOKEN_B } from "./_testing.ts";

async function json(res: Response): Promise<Record<string, unknown>> {
  return await res.json();
}

async function auditDump(t: AccountsApp, tenant: string): Promise<string> {
  return JSON.stringify((await listAudit(t.kv, tenant, { limit: 200 })).entries);
}

Deno.test("an invite link is shown once, works once, and signs the new member in with its role", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const res = await t.call("POST", "/api/v1/invites", { as: owner, body: { role: "editor" } });
    assert.equal(res.status, 201);
    const invite = await json(res);
    assert.equal(invite.url, `https://portal.test/auth/invite/${invite.token}`);
    assert.equal(invite.role, "editor");

    const accept = (email: string) =>
      t.call("POST", "/auth/invites/accept", {
        form: { token: invite.token as string, email, password: PASSWORD },
      });
    const joined = await accept("ed@clinic-a.example");
    assert.equal(joined.status, 201);
    const body = await json(joined);
    assert.deepEqual(body.user, {
      id: (body.user as { id: string }).id,
      email: "ed@clinic-a.example",
      role: "editor",
    });
    assert.equal((body.tenant as { id: string }).id, owner.tenant);
    const ed = { cookie: sessionCookieOf(joined)!, csrf: body.csrf as string };
    assert.equal((await t.call("GET", "/auth/session", { as: ed })).status, 200);

    const again = await accept("eve@clinic-a.example");
    assert.equal(again.status, 400);
    assert.match((await json(again)).error as string, /not valid or has already been used/);

    const members = await json(await t.call("GET", "/api/v1/members", { as: owner }));
    assert.deepEqual(
      (members.members as { email: string; role: string }[]).map((m) => [m.email, m.role]),
      [[owner.email, "owner"], ["ed@clinic-a.example", "editor"]],
    );
    const audit = await listAudit(t.kv, owner.tenant);
    assert.deepEqual(audit.entries.map((e) => e.action), [
      "member.joined",
      "member.invited",
      "signup",
    ]);
    const dump = await auditDump(t, owner.tenant);
    assert.equal(dump.includes(invite.token as string), false, "invite token in the audit log");
    assert.equal(dump.includes(PASSWORD), false, "password in the audit log");
  }));

Deno.test("roles hold on every route: viewers read, editors edit, only owners manage members", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const viewer = await invited(t, owner, "viewer");
    const editor = await invited(t, owner, "editor");
    const body = { spec: patientsSpec() };

    const denied = await t.call("POST", "/api/v1/pipelines", { as: viewer, body });
    assert.equal(denied.status, 403);
    assert.equal(
      (await json(denied)).error,
      "Only editors and owners may do this; your role is viewer.",
    );
    assert.equal((await t.call("GET", "/api/v1/runs", { as: viewer })).status, 200);
    assert.equal((await t.call("POST", "/api/v1/pipelines", { as: editor, body })).status, 201);

    for (
      const [method, path] of [
        ["GET", "/api/v1/members"],
        ["POST", "/api/v1/invites"],
        ["GET", "/api/v1/tokens"],
        ["POST", "/api/v1/tokens"],
        ["PATCH", `/api/v1/members/${viewer.userId}`],
        ["DELETE", `/api/v1/members/${viewer.userId}`],
      ]
    ) {
      const body = method === "GET" ? undefined : { role: "owner", name: "x" };
      const res = await t.call(method, path, { as: editor, body });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match((await json(res)).error as string, /^Only owners may do this/);
    }
    const members = await json(await t.call("GET", "/api/v1/members", { as: owner }));
    assert.equal((members.members as unknown[]).length, 3);
  }));

Deno.test("a role change applies at once; a removed member's session stops working at once", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const editor = await invited(t, owner, "editor");
    const demote = await t.call("PATCH", `/api/v1/members/${editor.userId}`, {
      as: owner,
      body: { role: "viewer" },
    });
    assert.equal(demote.status, 200);
    assert.equal((await json(demote)).role, "viewer");
    const now = await t.call("POST", "/api/v1/pipelines", {
      as: editor,
      body: { spec: patientsSpec() },
    });
    assert.equal(now.status, 403);
    await now.body?.cancel();

    const removed = await t.call("DELETE", `/api/v1/members/${editor.userId}`, { as: owner });
    assert.equal(removed.status, 204);
    assert.equal((await t.call("GET", "/api/v1/runs", { as: editor })).status, 401);
    assert.equal((await t.call("GET", "/auth/session", { as: editor })).status, 401);
    const sessions = await Array.fromAsync(
      t.kv.list({ prefix: ["tenants", owner.tenant, "user_sessions", editor.userId] }),
    );
    assert.deepEqual(sessions, []);
    const again = await t.call("DELETE", `/api/v1/members/${editor.userId}`, { as: owner });
    assert.equal(again.status, 404);

    const actions = (await listAudit(t.kv, owner.tenant)).entries.map((e) => [e.action, e.actor]);
    assert.deepEqual(actions.slice(0, 2), [
      ["member.removed", owner.email],
      ["member.role_changed", owner.email],
    ]);
  }));

Deno.test("the last owner can be neither removed nor demoted: a 409 that says what to do", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const remove = await t.call("DELETE", `/api/v1/members/${owner.userId}`, { as: owner });
    const demote = await t.call("PATCH", `/api/v1/members/${owner.userId}`, {
      as: owner,
      body: { role: "editor" },
    });
    for (const res of [remove, demote]) {
      assert.equal(res.status, 409);
      assert.match(
        (await json(res)).error as string,
        /they are the last owner of this organisation; make another member owner first/,
      );
    }
    assert.equal((await t.call("GET", "/api/v1/members", { as: owner })).status, 200);
    const bad = await t.call("PATCH", `/api/v1/members/${owner.userId}`, {
      as: owner,
      body: { role: "admin" },
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  }));

Deno.test("another tenant's members are 404 to an owner, by id and in lists", () =>
  withAccountsApp(async (t) => {
    const a = await t.signUp();
    const b = await t.signUp();
    for (
      const res of [
        await t.call("PATCH", `/api/v1/members/${a.userId}`, { as: b, body: { role: "viewer" } }),
        await t.call("DELETE", `/api/v1/members/${a.userId}`, { as: b }),
      ]
    ) {
      assert.equal(res.status, 404);
      assert.equal((await json(res)).error, `There is no member with id "${a.userId}".`);
    }
    const listed = await json(await t.call("GET", "/api/v1/members", { as: b }));
    assert.deepEqual((listed.members as { id: string }[]).map((m) => m.id), [b.userId]);
    assert.equal((await t.call("GET", "/api/v1/runs", { as: a })).status, 200);
  }));

Deno.test("API tokens made by an owner authenticate with their role; only their tenant revokes them", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const res = await t.call("POST", "/api/v1/tokens", {
      as: owner,
      body: { name: "nightly export", role: "viewer" },
    });
    assert.equal(res.status, 201);
    const made = await json(res);
    const token = made.token as string;
    assert.match(token, /^pyx_[0-9a-f]{64}$/);
    assert.equal(made.role, "viewer");

    assert.equal((await t.call("GET", "/api/v1/runs", { token })).status, 200);
    const denied = await t.call("POST", "/api/v1/pipelines", {
      token,
      body: { spec: patientsSpec() },
    });
    assert.equal(denied.status, 403);
    await denied.body?.cancel();

    const listed = await t.call("GET", "/api/v1/tokens", { as: owner });
    const text = await listed.text();
    assert.equal(text.includes(token), false, "the token is shown once only");
    assert.equal(JSON.parse(text).tokens[0].name, "nightly export");

    const other = await t.call("DELETE", `/api/v1/tokens/${made.id}`, { token: TOKEN_B });
    assert.equal(other.status, 404);
    await other.body?.cancel();
    assert.equal((await t.call("GET", "/api/v1/runs", { token })).status, 200);

    const revoked = await t.call("DELETE", `/api/v1/tokens/${made.id}`, { as: owner });
    assert.equal(revoked.status, 204);
    assert.equal((await t.call("GET", "/api/v1/runs", { token })).status, 401);

    const audit = (await listAudit(t.kv, owner.tenant)).entries;
    assert.deepEqual(audit.slice(0, 2).map((e) => [e.action, e.target]), [
      ["token.revoked", made.id],
      ["token.created", made.id],
    ]);
    assert.equal((await auditDump(t, owner.tenant)).includes(token), false, "token in audit log");
  }));

Deno.test("an owner-role API token without a member cannot invite; one made by an owner can", () =>
  withAccountsApp(async (t) => {
    const operator = await t.call("POST", "/api/v1/invites", {
      token: TOKEN_B,
      body: { role: "viewer" },
    });
    assert.equal(operator.status, 403);
    assert.match((await json(operator)).error as string, /signed-in owner/);

    const owner = await t.signUp();
    const made = await json(
      await t.call("POST", "/api/v1/tokens", { as: owner, body: { name: "admin", role: "owner" } }),
    );
    const invite = await t.call("POST", "/api/v1/invites", {
      token: made.token as string,
      body: { role: "viewer" },
    });
    assert.equal(invite.status, 201);
    const audit = (await listAudit(t.kv, owner.tenant)).entries;
    assert.deepEqual([audit[0].action, audit[0].actor], ["member.invited", 'token "admin"']);
  }));
