import assert from "node:assert/strict";
import { listAudit } from "../audit/log.ts";
import { getConnection } from "../connections/mod.ts";
import { type AccountsApp, type Browser, withAccountsApp } from "./_testing.ts";
import { invited } from "./_pages_testing.ts";

/** Save a connection through the page; returns its id. */
async function created(
  t: AccountsApp,
  as: Browser,
  fields: Record<string, string>,
): Promise<string> {
  const res = await t.call("POST", "/app/connections/new", {
    as,
    form: { _csrf: as.csrf, action: "save", ...fields },
  });
  assert.equal(res.status, 303, await res.text());
  const match = /^\/app\/connections\/([0-9a-f]{32})\?saved$/.exec(res.headers.get("Location")!);
  assert.ok(match, res.headers.get("Location")!);
  return match[1];
}

const PG = {
  kind: "source",
  type: "postgres",
  name: "Clinic warehouse",
  "cfg.host": "127.0.0.1",
  "cfg.port": "5432",
  "cfg.database": "test",
  "cfg.user": "postgres",
  "cfg.password": "s3cret-pg-password",
};

Deno.test("connections pages: create a PostgreSQL source, list it, and edit it keeping its password", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const empty = await (await t.call("GET", "/app/connections", { as: owner })).text();
    assert.match(empty, /No saved connections yet/);
    const choose = await (await t.call("GET", "/app/connections/new", { as: owner })).text();
    assert.match(choose, /value="source:postgres"/);
    assert.match(choose, /value="repository:s3"/);
    const form = await (await t.call("GET", "/app/connections/new?for=source:postgres", {
      as: owner,
    })).text();
    assert.match(form, /<label for="cfg-host">Server<\/label>/);
    // What each pipeline reads is not part of a saved connection.
    assert.doesNotMatch(form, /name="cfg.table"/);

    const id = await created(t, owner, PG);
    const list = await (await t.call("GET", "/app/connections", { as: owner })).text();
    assert.match(list, /Clinic warehouse/);
    assert.match(list, /127\.0\.0\.1:5432 \/ test/);

    const edit = await (await t.call("GET", `/app/connections/${id}?saved`, { as: owner })).text();
    assert.match(edit, /Saved\. Use Test connection/);
    assert.match(edit, /Saved — leave empty to keep it/);
    assert.doesNotMatch(edit, /s3cret-pg-password/);

    const res = await t.call("POST", `/app/connections/${id}`, {
      as: owner,
      form: { ...PG, _csrf: owner.csrf, action: "save", name: "Warehouse", "cfg.password": "" },
    });
    assert.equal(res.status, 303);
    // The harness's spec secrets open a step that names a saved connection, as a run does.
    const opened = await t.deps.secrets!.open(owner.tenant, {
      source: { type: "postgres", connection: id },
    }) as { source: Record<string, unknown> };
    assert.equal(opened.source.password, "s3cret-pg-password");
    assert.equal((await getConnection(t.kv, owner.tenant, id))?.name, "Warehouse");
    const audit = JSON.stringify((await listAudit(t.kv, owner.tenant, { limit: 50 })).entries);
    assert.match(audit, /connection\.created/);
    assert.match(audit, /connection\.updated/);
    assert.doesNotMatch(audit, /s3cret/);
  }));

Deno.test("connections pages: bad settings are shown beside their fields and nothing is saved", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const res = await t.call("POST", "/app/connections/new", {
      as: owner,
      form: { ...PG, _csrf: owner.csrf, name: "", "cfg.port": "99999" },
    });
    assert.equal(res.status, 400);
    const page = await res.text();
    assert.match(page, /id="f-name-error"[^>]*>Is empty; give a name such as &quot;EMR database/);
    // The password typed is not sent back, and nothing claims it was saved.
    assert.doesNotMatch(page, /Saved — leave empty/);
    assert.match(page, /id="cfg-port-error">Too big: expected number to be &lt;=65535\./);
    assert.doesNotMatch(page, /s3cret-pg-password/);
    const list = await (await t.call("GET", "/app/connections", { as: owner })).text();
    assert.match(list, /No saved connections yet/);
  }));

Deno.test("connections pages: Test connection shows the answer, and a wrong password's readable error", () =>
  withAccountsApp(async (t) => {
    t.deps.allowPrivateNetwork = true;
    const owner = await t.signUp();
    const id = await created(t, owner, PG);
    const ok = await t.call("POST", `/app/connections/${id}`, {
      as: owner,
      form: { ...PG, _csrf: owner.csrf, action: "test", "cfg.password": "" },
    });
    assert.equal(ok.status, 200);
    const okPage = await ok.text();
    assert.match(
      okPage,
      /class="alert alert-ok answer"[^>]*><p class="answer-title"><strong>Connection works\.<\/strong> Connected to PostgreSQL/,
    );

    const maria = await created(t, owner, {
      kind: "source",
      type: "mysql",
      name: "EMR",
      "cfg.host": "127.0.0.1",
      "cfg.database": "test",
      "cfg.user": "root",
      "cfg.password": "not-the-password",
    });
    const bad = await (await t.call("POST", `/app/connections/${maria}`, {
      as: owner,
      form: {
        _csrf: owner.csrf,
        action: "test",
        name: "EMR",
        "cfg.host": "127.0.0.1",
        "cfg.database": "test",
        "cfg.user": "root",
      },
    })).text();
    assert.match(
      bad,
      /Could not connect\.<\/strong> The server at 127\.0\.0\.1:3306 refused user &quot;root&quot;/,
    );
    assert.doesNotMatch(bad, /not-the-password/);
    assert.doesNotMatch(bad, /at \w+ \(file:/);
    const audit = JSON.stringify((await listAudit(t.kv, owner.tenant, { limit: 50 })).entries);
    assert.match(audit, /connection\.tested/);
  }));

Deno.test("connections pages: delete asks first, then deletes", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const id = await created(t, owner, PG);
    const confirm = await (await t.call("GET", `/app/connections/${id}/delete`, { as: owner }))
      .text();
    assert.match(confirm, /Delete “Clinic warehouse”\?/);
    assert.match(confirm, /<button type="submit" class="danger">Delete connection<\/button>/);
    assert.ok(await getConnection(t.kv, owner.tenant, id), "a GET deletes nothing");
    const res = await t.call("POST", `/app/connections/${id}/delete`, {
      as: owner,
      form: { _csrf: owner.csrf },
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("Location"), "/app/connections?deleted");
    assert.equal(await getConnection(t.kv, owner.tenant, id), undefined);
    const list = await (await t.call("GET", "/app/connections?deleted", { as: owner })).text();
    assert.match(list, /The connection was deleted\./);
    const audit = JSON.stringify((await listAudit(t.kv, owner.tenant, { limit: 50 })).entries);
    assert.match(audit, /connection\.deleted/);
  }));

Deno.test("connections pages: another organisation's connection is the 404 page", () =>
  withAccountsApp(async (t) => {
    const a = await t.signUp();
    const b = await t.signUp();
    const id = await created(t, a, PG);
    for (
      const [method, path, form] of [
        ["GET", `/app/connections/${id}`, undefined],
        ["GET", `/app/connections/${id}/delete`, undefined],
        ["POST", `/app/connections/${id}`, { ...PG, _csrf: b.csrf, action: "save" }],
        ["POST", `/app/connections/${id}/delete`, { _csrf: b.csrf }],
        ["GET", "/app/connections/not-an-id", undefined],
      ] as const
    ) {
      const res = await t.call(method, path, { as: b, form });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.match(await res.text(), /There is no such connection in your organisation/);
    }
    assert.equal((await getConnection(t.kv, a.tenant, id))?.name, "Clinic warehouse");
    const list = await (await t.call("GET", "/app/connections", { as: b })).text();
    assert.doesNotMatch(list, /Clinic warehouse/);
  }));

Deno.test("connections pages: viewers are refused, and still see the rest of the dashboard", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const id = await created(t, owner, PG);
    const viewer = await invited(t, owner, "viewer");
    for (const path of ["/app/connections", "/app/connections/new", `/app/connections/${id}`]) {
      const res = await t.call("GET", path, { as: viewer });
      assert.equal(res.status, 403, path);
      assert.match(
        await res.text(),
        /Only editors and owners can open this page; your role is viewer/,
      );
    }
    const del = await t.call("POST", `/app/connections/${id}/delete`, {
      as: viewer,
      form: { _csrf: viewer.csrf },
    });
    assert.equal(del.status, 403);
    assert.ok(await getConnection(t.kv, owner.tenant, id));
    assert.equal((await t.call("GET", "/app", { as: viewer })).status, 200);
  }));
