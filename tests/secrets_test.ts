/**
 * A planted secret never leaves the vault: pipelines with a PostgreSQL password, a REST bearer
 * token (whose API answers 401 and echoes the token) and a wrong MariaDB password are saved and
 * run through the API; then every KV value (pipelines, run records, plans, manifests, rejected
 * rows), every API answer, every output file and every log line is searched for the secret.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createTestDatabase } from "../etl/db/_pg_testing.ts";
import { drive, testApp } from "../routes/_testing.ts";
import { dumpKv } from "../vault/_testing.ts";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await filesUnder(path));
    else if (e.isFile) out.push(path);
  }
  return out;
}

Deno.test("a planted secret appears in no stored value, answer, output file, error or log line", async () => {
  const secret = `Planted-${crypto.randomUUID()}`;
  const t = await testApp();
  t.deps.allowPrivateNetwork = true;
  const db = await createTestDatabase();
  // An API that refuses the token and echoes it back, as badly written APIs do.
  const api = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => new Response(`unknown token ${req.headers.get("authorization")}`, { status: 401 }),
  );
  const answers: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await t.call(method, path, { body });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, json: JSON.parse(text) };
  };
  try {
    await db.sql`CREATE TABLE visits (id int PRIMARY KEY, clinic text)`;
    await db.sql`INSERT INTO visits VALUES (1, 'North'), (2, 'South')`;
    const specs = [
      {
        version: 1,
        name: "pg-visits",
        source: { type: "postgres", ...db.config, password: secret, table: "visits", key: "id" },
        transforms: [],
        output: { format: "ndjson" },
        repository: { type: "file", path: "visits.ndjson" },
      },
      {
        version: 1,
        name: "rest-refused",
        source: {
          type: "rest",
          url: `http://127.0.0.1:${api.addr.port}/items`,
          auth: "bearer",
          token: secret,
          maxAttempts: 1,
        },
        transforms: [],
        output: { format: "ndjson" },
        repository: { type: "file", path: "rest.ndjson" },
      },
      {
        version: 1,
        name: "mariadb-wrong-password",
        source: {
          type: "mysql",
          host: "127.0.0.1",
          user: "root",
          password: secret,
          database: "test",
          table: "nothing_here",
        },
        transforms: [],
        output: { format: "ndjson" },
        repository: { type: "file", path: "my.ndjson" },
      },
    ];
    const ended: Record<string, string> = {};
    for (const spec of specs) {
      const made = await call("POST", "/api/v1/pipelines", { spec });
      assert.equal(made.status, 201, JSON.stringify(made.json));
      const started = await call("POST", `/api/v1/pipelines/${made.json.id}/runs`);
      assert.equal(started.status, 202);
      const run = await drive(t.deps, "clinic-a", started.json.runId);
      ended[spec.name] = run.status;
      await call("GET", `/api/v1/pipelines/${made.json.id}`);
      await call("GET", `/api/v1/runs/${run.id}`);
      await call("GET", `/api/v1/runs/${run.id}/rejected`);
      // A re-run starts from the stored (sealed) spec and behaves the same.
      const again = await call("POST", `/api/v1/runs/${run.id}/rerun`);
      assert.equal(again.status, 202);
      assert.equal((await drive(t.deps, "clinic-a", again.json.runId)).status, run.status);
    }
    await call("GET", "/api/v1/pipelines");
    await call("GET", "/api/v1/runs?limit=100");
    // The secrets were used: the PostgreSQL run read its rows (trust auth ignores the password),
    // the others failed with readable errors.
    assert.deepEqual(ended, {
      "pg-visits": "succeeded",
      "rest-refused": "failed",
      "mariadb-wrong-password": "failed",
    });
    const runs = (await call("GET", "/api/v1/runs?limit=100")).json.runs;
    const errors = runs.map((r: { error: string | null }) => r.error).filter(Boolean);
    assert.equal(errors.length, 4);
    assert.ok(errors.some((e: string) => /401/.test(e)), errors.join("\n"));
    assert.ok(errors.some((e: string) => /password|Access denied/i.test(e)), errors.join("\n"));
    assert.ok(answers.some((a) => a.includes("********")), "secrets are shown masked");

    const outputs = await Promise.all(
      (await filesUnder(t.out)).map((f) => Deno.readTextFile(f)),
    );
    assert.ok(outputs.some((o) => o.includes('"North"')), "the PostgreSQL rows were written");
    const places: Record<string, string> = {
      "KV (pipelines, runs, plans, manifests, rejected rows)": await dumpKv(t.deps.kv),
      "API answers": answers.join("\n"),
      "output files": outputs.join("\n"),
      "log lines": t.logged.join("\n"),
    };
    for (const [where, text] of Object.entries(places)) {
      assert.equal(text.includes(secret), false, `the secret leaked into ${where}`);
    }
  } finally {
    await api.shutdown();
    await db.drop();
    await t.close();
  }
});
