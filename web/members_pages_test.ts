import assert from "node:assert/strict";
import { getUser } from "../accounts/store.ts";
import { listAudit, recordAudit } from "../audit/log.ts";
import { listApiTokens } from "../routes/api_tokens.ts";
import { PASSWORD, sessionCookieOf } from "./_testing.ts";
import { invited, postForm, textOf, withPages } from "./_pages_testing.ts";

Deno.test("members page: change a role, refuse to demote the last owner, remove after confirming", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const editor = await invited(t, owner, "editor");

    const page = await t.call("GET", "/app/members", { as: owner });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(
      html,
      new RegExp(
        `<label for="role-${editor.userId}" class="visually-hidden">Role of ${editor.email}`,
      ),
    );

    const change = await postForm(t, owner, `/app/members/${editor.userId}/role`, {
      role: "viewer",
    });
    assert.equal(change.status, 303);
    assert.equal(change.headers.get("location"), "/app/members?done=role");
    assert.equal((await getUser(t.kv, owner.tenant, editor.userId))?.role, "viewer");
    const done = textOf(
      await (await t.call("GET", "/app/members?done=role", { as: owner })).text(),
    );
    assert.match(done, /The role was changed\./);
    // The demoted member's open session has the new role at once.
    assert.equal(
      (await postForm(t, editor, "/app/members/invite", { role: "viewer" })).status,
      403,
    );

    const last = await postForm(t, owner, `/app/members/${owner.userId}/role`, { role: "editor" });
    assert.equal(last.status, 409);
    assert.match(
      textOf(await last.text()),
      /Cannot make .* editor: they are the last owner of this organisation; make another member owner first\./,
    );
    assert.equal((await getUser(t.kv, owner.tenant, owner.userId))?.role, "owner");

    const confirm = await t.call("GET", `/app/members/${editor.userId}/remove`, { as: owner });
    assert.match(textOf(await confirm.text()), new RegExp(`Remove ${editor.email}\\?`));
    const removed = await postForm(t, owner, `/app/members/${editor.userId}/remove`);
    assert.equal(removed.status, 303);
    assert.equal(await getUser(t.kv, owner.tenant, editor.userId), undefined);
    // Signed out everywhere: their session no longer opens pages.
    const gone = await t.call("GET", "/app", { as: editor });
    assert.equal(gone.status, 303);

    const actions = (await listAudit(t.kv, owner.tenant)).entries.map((e) => e.action);
    assert.ok(actions.includes("member.role_changed") && actions.includes("member.removed"));
  }));

Deno.test("members page: the invite link is shown once and lets the colleague join with its role", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const res = await postForm(t, owner, "/app/members/invite", { role: "viewer" });
    assert.equal(res.status, 200);
    const html = await res.text();
    const link = /id="invite-link"[^>]*value="https:\/\/portal\.test\/auth\/invite\/([^"]+)"/
      .exec(html);
    assert.ok(link, "the invite link is on the page");
    assert.match(textOf(html), /This is the only time it is shown\./);
    // Not shown again, and not in the audit log.
    const again = await (await t.call("GET", "/app/members", { as: owner })).text();
    assert.equal(again.includes(link[1]), false);
    const log = JSON.stringify((await listAudit(t.kv, owner.tenant)).entries);
    assert.equal(log.includes(link[1]), false);
    assert.match(log, /"member\.invited"/);

    const joined = await t.call("POST", `/auth/invite/${link[1]}`, {
      form: { email: `new-${crypto.randomUUID()}@clinic.example`, password: PASSWORD },
    });
    assert.equal(joined.status, 303);
    const session = await t.sessions.principal(sessionCookieOf(joined)!);
    assert.equal(session?.role, "viewer");
    assert.equal(session?.tenant, owner.tenant);
  }));

Deno.test("tokens page: a new token is shown once and works; Revoke stops it", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const empty = await postForm(t, owner, "/app/tokens", { name: "  ", role: "viewer" });
    assert.equal(empty.status, 400);
    assert.match(textOf(await empty.text()), /Give the token a name/);

    const res = await postForm(t, owner, "/app/tokens", { name: "nightly export", role: "viewer" });
    assert.equal(res.status, 200);
    const html = await res.text();
    const token = /id="new-token"[^>]*value="(pyx_[0-9a-f]{64})"/.exec(html)?.[1];
    assert.ok(token, "the token is on the page");
    assert.equal((await t.call("GET", "/api/v1/runs", { token })).status, 200);
    const list = await (await t.call("GET", "/app/tokens", { as: owner })).text();
    assert.equal(list.includes(token), false, "the token is shown again");
    assert.match(textOf(list), new RegExp(`nightly export ${token.slice(0, 12)}… Viewer`));

    const [info] = await listApiTokens(t.kv, owner.tenant);
    const revoke = await postForm(t, owner, `/app/tokens/${info.id}/revoke`);
    assert.equal(revoke.status, 303);
    assert.equal(revoke.headers.get("location"), "/app/tokens?done=revoked");
    assert.equal((await t.call("GET", "/api/v1/runs", { token })).status, 401);
    const actions = (await listAudit(t.kv, owner.tenant)).entries.map((e) => e.action);
    assert.ok(actions.includes("token.created") && actions.includes("token.revoked"));
  }));

Deno.test("audit page: entries newest first in words, paged; owners only", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const editor = await invited(t, owner, "editor");
    const pipeline = "0123456789abcdef0123456789abcdef";
    await recordAudit(t.kv, owner.tenant, {
      actor: owner.email,
      action: "pipeline.updated",
      target: pipeline,
      detail: { name: "clinic-patients", schedule: "30 2 * * *" },
    });
    const html = await (await t.call("GET", "/app/audit", { as: owner })).text();
    const text = textOf(html);
    assert.match(
      text,
      new RegExp(
        `${owner.email} Changed a pipeline clinic-patients Schedule: 30 2 \\* \\* \\*`,
      ),
    );
    assert.match(html, new RegExp(`href="/app/pipelines/${pipeline}"`));
    assert.match(text, /Joined/);
    assert.match(text, /Created the organisation/);
    assert.ok(text.indexOf("Changed a pipeline") < text.indexOf("Created the organisation"));

    for (let i = 0; i < 55; i++) {
      await recordAudit(t.kv, owner.tenant, { actor: owner.email, action: "download" });
    }
    const first = await (await t.call("GET", "/app/audit", { as: owner })).text();
    const older = /href="\/app\/audit\?cursor=([^"]+)"/.exec(first);
    assert.ok(older, "an Older entries link");
    const second = textOf(
      await (await t.call("GET", `/app/audit?cursor=${older[1]}`, {
        as: owner,
      })).text(),
    );
    assert.match(second, /Created the organisation/);

    for (const path of ["/app/audit", "/app/members", "/app/tokens"]) {
      const refused = await t.call("GET", path, { as: editor });
      assert.equal(refused.status, 403, path);
      assert.match(
        textOf(await refused.text()),
        /Only owners can open this page; your role is editor/,
      );
    }
  }));

Deno.test("members pages: another organisation's member or token is a 404 page", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const other = await t.signUp();
    await postForm(t, other, "/app/tokens", { name: "theirs" });
    const [theirs] = await listApiTokens(t.kv, other.tenant);
    assert.equal((await postForm(t, owner, `/app/tokens/${theirs.id}/revoke`)).status, 404);
    assert.equal((await listApiTokens(t.kv, other.tenant)).length, 1);
    const res = await postForm(t, owner, `/app/members/${other.userId}/role`, { role: "viewer" });
    assert.equal(res.status, 404);
    assert.equal(
      (await t.call("GET", `/app/members/${other.userId}/remove`, { as: owner })).status,
      404,
    );
    assert.equal((await getUser(t.kv, other.tenant, other.userId))?.role, "owner");
  }));
