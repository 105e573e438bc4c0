import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { listAudit } from "../audit/log.ts";
import { createTestDatabase, type TestDatabase } from "../etl/db/_mysql_test_db.ts";
import { startTestS3Server } from "../etl/load/_s3_test_server.ts";
import { dumpKv } from "../vault/_testing.ts";
import { MASK } from "../vault/fields.ts";
import { type TestApp, testApp, TOKEN_A, TOKEN_B } from "./_testing.ts";
import type { Principal } from "./deps.ts";

const BASE = "/api/v1/connections";

/** A test app whose connection tests may reach loopback servers, closed afterwards. */
async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await testApp();
  t.deps.allowPrivateNetwork = true;
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

const pgConfig = (password: string) => ({
  host: "127.0.0.1",
  port: 5432,
  user: "postgres",
  database: "test",
  password,
});

async function create(t: TestApp, body: unknown): Promise<Record<string, unknown>> {
  const res = await t.call("POST", BASE, { body });
  assert.equal(res.status, 201, await res.clone().text());
  return await res.json();
}

async function testOf(t: TestApp, id: string): Promise<{ ok: boolean; message: string }> {
  const res = await t.call("POST", `${BASE}/${id}/test`);
  assert.equal(res.status, 200);
  return await res.json();
}

/** Fail when any of `secrets` is in the KV store, the audit log or the app's log lines. */
async function assertNowhere(t: TestApp, secrets: string[]): Promise<void> {
  const audit = JSON.stringify((await listAudit(t.deps.kv, "clinic-a", { limit: 500 })).entries);
  const places = { kv: await dumpKv(t.deps.kv), audit, logged: t.logged.join("\n") };
  for (const secret of secrets) {
    for (const [where, text] of Object.entries(places)) {
      assert.ok(!text.includes(secret), `the secret is in the ${where}`);
    }
  }
}

async function auditActions(t: TestApp): Promise<string[]> {
  const { entries } = await listAudit(t.deps.kv, "clinic-a", { limit: 500 });
  return entries.reverse().map((e) => e.action);
}

/** A MariaDB user `pyx_conn_<random>` with `password`, allowed everything on `db`. */
async function mariaDbUser(db: TestDatabase, password: string) {
  const user = `pyx_conn_${crypto.randomUUID().slice(0, 8)}`;
  const hosts = ["%", "localhost", "127.0.0.1"];
  for (const host of hosts) {
    await db.admin.query("CREATE USER ?@? IDENTIFIED BY ?", [user, host, password]);
    await db.admin.query(`GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO ?@?`, [user, host]);
  }
  return {
    user,
    async drop() {
      for (const host of hosts) await db.admin.query("DROP USER IF EXISTS ?@?", [user, host]);
    },
  };
}

Deno.test("a PostgreSQL connection is saved sealed, answered masked, and its test connects", async () => {
  await withApp(async (t) => {
    const secret = `pg-planted-${crypto.randomUUID()}`;
    const res = await t.call("POST", BASE, {
      body: { name: "Warehouse", kind: "source", type: "postgres", config: pgConfig(secret) },
    });
    assert.equal(res.status, 201);
    const saved = await res.json();
    assert.equal(res.headers.get("Location"), `https://portal.test${BASE}/${saved.id}`);
    assert.match(saved.id, /^[0-9a-f]{32}$/);
    assert.deepEqual(saved.config, { ...pgConfig(MASK) });
    assert.equal(saved.createdBy, "operator token");
    assert.deepEqual(await (await t.call("GET", `${BASE}/${saved.id}`)).json(), saved);
    assert.deepEqual(await (await t.call("GET", BASE)).json(), { connections: [saved] });

    const answer = await testOf(t, saved.id);
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message, /^Connected to PostgreSQL .* as postgres, database test$/);

    // A repository connection without a table tests the same server.
    const repo = await create(t, {
      name: "Warehouse out",
      kind: "repository",
      type: "postgres",
      config: pgConfig(secret),
    });
    assert.equal((await testOf(t, String(repo.id))).ok, true);
    assert.deepEqual(await auditActions(t), [
      "connection.created",
      "connection.tested",
      "connection.created",
      "connection.tested",
    ]);
    const { entries } = await listAudit(t.deps.kv, "clinic-a");
    assert.deepEqual(entries.at(-1)!.detail, {
      name: "Warehouse",
      type: "postgres",
      kind: "source",
    });
    assert.equal(entries.at(-1)!.actor, "operator token");
    await assertNowhere(t, [secret]);
  });
});

Deno.test("MariaDB: a wrong password fails readably without the password; edits keep or replace it", async () => {
  const db = await createTestDatabase();
  const right = `Right-${crypto.randomUUID()}`;
  const wrong = `Wrong-${crypto.randomUUID()}`;
  const account = await mariaDbUser(db, right);
  try {
    await withApp(async (t) => {
      const base = { host: "127.0.0.1", port: 3306, user: account.user, database: db.name };
      const saved = await create(t, {
        name: "EMR",
        kind: "source",
        type: "mysql",
        config: { ...base, password: wrong },
      });
      const id = String(saved.id);
      const failed = await testOf(t, id);
      assert.equal(failed.ok, false);
      assert.match(failed.message, new RegExp(`refused user "${account.user}".*password`));
      assert.ok(!failed.message.includes(wrong) && !failed.message.includes(right));

      const patch = async (body: unknown) => {
        const res = await t.call("PATCH", `${BASE}/${id}`, { body });
        assert.equal(res.status, 200, await res.clone().text());
        const answer = await res.json();
        assert.ok(!JSON.stringify(answer).includes(right), "an answer shows the password");
        return answer;
      };
      assert.equal((await patch({ config: { ...base, password: right } })).config.password, MASK);
      const passed = await testOf(t, id);
      assert.equal(passed.ok, true, passed.message);
      assert.match(passed.message, /^Connected to MariaDB .* as pyx_conn_/);

      // Edits without retyping the password keep it: left out, empty, masked, rename only.
      for (const password of [undefined, "", MASK]) {
        await patch({ config: { ...base, connectTimeoutSeconds: 4, password } });
        assert.equal((await testOf(t, id)).ok, true, `password ${password} lost the secret`);
      }
      assert.equal((await patch({ name: "EMR (read only)" })).name, "EMR (read only)");
      assert.equal((await testOf(t, id)).ok, true);

      // A new password is used at once.
      await patch({ config: { ...base, password: wrong } });
      assert.equal((await testOf(t, id)).ok, false);

      const { entries } = await listAudit(t.deps.kv, "clinic-a", { limit: 100 });
      const updates = entries.filter((e) => e.action === "connection.updated");
      assert.deepEqual(updates.map((e) => e.detail?.changed).reverse(), [
        "config.password",
        "config.connectTimeoutSeconds",
        "name",
        "config.connectTimeoutSeconds, config.password",
      ]);
      await assertNowhere(t, [right, wrong]);
    });
  } finally {
    await account.drop();
    await db.drop();
  }
});

Deno.test("the tables of a MariaDB source connection are listed with their columns", async () => {
  const db = await createTestDatabase();
  try {
    await db.admin.query("CREATE TABLE patients (id INT PRIMARY KEY, family VARCHAR(50))");
    await withApp(async (t) => {
      const config = { host: "127.0.0.1", port: 3306, user: "root", database: db.name };
      const saved = await create(t, { name: "EMR", kind: "source", type: "mysql", config });
      for (const method of ["GET", "POST"]) {
        const res = await t.call(method, `${BASE}/${saved.id}/tables`);
        assert.equal(res.status, 200);
        const answer = await res.json();
        assert.equal(answer.ok, true, answer.message);
        const table = answer.tables.find((x: { name: string }) => x.name === "patients");
        assert.deepEqual(table.columns.map((c: { name: string }) => c.name), ["id", "family"]);
      }
      const repo = await create(t, { name: "Out", kind: "repository", type: "mysql", config });
      const res = await t.call("GET", `${BASE}/${repo.id}/tables`);
      assert.equal(res.status, 400);
      assert.match((await res.json()).error, /is a repository; only source connections/);
    });
  } finally {
    await db.drop();
  }
});

Deno.test("an S3 connection masks both keys and its test reaches the bucket", async () => {
  const s3 = await startTestS3Server();
  try {
    await withApp(async (t) => {
      const config = {
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      };
      const saved = await create(t, { name: "Exports", kind: "repository", type: "s3", config });
      assert.equal(saved.config && (saved.config as Record<string, unknown>).accessKeyId, MASK);
      assert.equal((saved.config as Record<string, unknown>).secretAccessKey, MASK);
      const answer = await testOf(t, String(saved.id));
      assert.equal(answer.ok, true, answer.message);
      assert.match(answer.message, /^Bucket test-bucket reachable/);
      await assertNowhere(t, [s3.secretAccessKey]);
    });
  } finally {
    await s3.close();
  }
});

Deno.test("tenant B gets 404 for every route on tenant A's connection, which stays as it was", async () => {
  await withApp(async (t) => {
    const secret = `pg-planted-${crypto.randomUUID()}`;
    const saved = await create(t, {
      name: "A's warehouse",
      kind: "source",
      type: "postgres",
      config: pgConfig(secret),
    });
    const before = await dumpKv(t.deps.kv);
    const calls: [string, string, unknown?][] = [
      ["GET", ""],
      ["PATCH", "", { name: "taken over", config: { ...pgConfig(""), host: "evil.example" } }],
      ["DELETE", ""],
      ["POST", "/test"],
      ["GET", "/tables"],
      ["POST", "/tables"],
    ];
    for (const [method, suffix, body] of calls) {
      const res = await t.call(method, `${BASE}/${saved.id}${suffix}`, { body, token: TOKEN_B });
      assert.equal(res.status, 404, `${method} ${suffix}`);
      assert.deepEqual(await res.json(), {
        error: `There is no connection with id "${saved.id}".`,
      });
    }
    assert.deepEqual(await (await t.call("GET", BASE, { token: TOKEN_B })).json(), {
      connections: [],
    });
    assert.equal(await dumpKv(t.deps.kv), before, "nothing was written, not even an audit entry");
    assert.deepEqual(
      await (await t.call("GET", `${BASE}/${saved.id}`, { token: TOKEN_A })).json(),
      saved,
    );
    assert.equal((await testOf(t, String(saved.id))).ok, true);
  });
});

Deno.test("invalid connections are refused with every problem and its path", async () => {
  await withApp(async (t) => {
    const res = await t.call("POST", BASE, {
      body: {
        name: "",
        kind: "source",
        type: "postgres",
        config: { host: "", port: 99999, passwrd: "x", password: MASK },
      },
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error, "The connection has 5 problem(s); fix them and retry.");
    assert.deepEqual(body.problems.map((p: string) => p.split(":")[0]), [
      "name",
      "config.passwrd",
      "config.password",
      "config.host",
      "config.port",
    ]);
    const unknown = await (await t.call("POST", BASE, {
      body: { name: "x", kind: "source", type: "oracle", config: {} },
    })).json();
    assert.match(unknown.problems[0], /^type: unknown source type "oracle"; .*mysql, postgres/);

    const saved = await create(t, {
      name: "Warehouse",
      kind: "source",
      type: "postgres",
      config: pgConfig("pw-1234"),
    });
    const bad = await t.call("PATCH", `${BASE}/${saved.id}`, {
      body: { config: { ...pgConfig(""), port: "5432", tls: "maybe" }, kind: "repository" },
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).problems[0], /^kind: cannot be changed/);
    const badConfig = await t.call("PATCH", `${BASE}/${saved.id}`, {
      body: { config: { ...pgConfig(""), port: "5432", tls: "maybe" } },
    });
    assert.deepEqual((await badConfig.json()).problems.map((p: string) => p.split(":")[0]), [
      "config.port",
      "config.tls",
    ]);
    assert.deepEqual(await (await t.call("GET", `${BASE}/${saved.id}`)).json(), saved);
    assert.equal((await t.call("GET", `${BASE}/not-an-id`)).status, 400);
    assert.equal((await t.call("POST", BASE, { body: "{not json" })).status, 400);
  });
});

Deno.test("DELETE removes a connection and audits it by name and type", async () => {
  await withApp(async (t) => {
    const saved = await create(t, {
      name: "Old EMR",
      kind: "source",
      type: "postgres",
      config: pgConfig("pw-1234"),
    });
    const res = await t.call("DELETE", `${BASE}/${saved.id}`);
    assert.equal(res.status, 204);
    assert.equal((await t.call("GET", `${BASE}/${saved.id}`)).status, 404);
    assert.equal((await t.call("DELETE", `${BASE}/${saved.id}`)).status, 404);
    const { entries } = await listAudit(t.deps.kv, "clinic-a");
    assert.deepEqual(
      [entries[0].action, entries[0].target, entries[0].detail],
      ["connection.deleted", saved.id, { name: "Old EMR", type: "postgres" }],
    );
  });
});

Deno.test("testing a loopback connection is refused when the deployment forbids private networks", async () => {
  await withApp(async (t) => {
    t.deps.allowPrivateNetwork = false;
    const saved = await create(t, {
      name: "Local",
      kind: "source",
      type: "postgres",
      config: pgConfig("pw-1234"),
    });
    const answer = await testOf(t, String(saved.id));
    assert.equal(answer.ok, false);
    assert.match(answer.message, /127\.0\.0\.1.*(private|loopback)/i);
  });
});

Deno.test("viewers get 403 on connections; without a vault connections answer 503", async () => {
  const t = await testApp();
  try {
    const as = (role: Principal["role"]) => ({
      authenticate: (token: string) =>
        Promise.resolve<Principal | undefined>(
          token === "viewer-token-0123456789"
            ? { tenant: "clinic-a", role, kind: "token", label: `token "${role}"` }
            : undefined,
        ),
    });
    const call = (app: ReturnType<typeof createApp>, method: string, path = BASE) =>
      app.request(path, {
        method,
        headers: { Authorization: "Bearer viewer-token-0123456789" },
      });
    const viewerApp = createApp({ engine: t.deps, vault: t.vault, auth: as("viewer") });
    for (const method of ["GET", "POST"]) {
      const res = await call(viewerApp, method);
      assert.equal(res.status, 403);
      assert.match(
        (await res.json()).error,
        /Only editors and owners may do this; your role is viewer/,
      );
    }
    const editorApp = createApp({ engine: t.deps, vault: t.vault, auth: as("editor") });
    assert.equal((await call(editorApp, "GET")).status, 200);
    const noVault = createApp({ engine: t.deps, auth: as("editor") });
    const res = await call(noVault, "GET");
    assert.equal(res.status, 503);
    assert.match((await res.json()).error, /without its credential vault/);
  } finally {
    await t.close();
  }
});
