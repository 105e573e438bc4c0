/**
 * A pipeline that names a saved connection (`"connection": "<id>"`) runs with the connection's
 * settings and opened secrets, reads the connection as it is when each run starts, and a
 * run of a pipeline whose connection was deleted is refused with a sentence.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createTestDatabase } from "../etl/db/_pg_testing.ts";
import { drive, testApp } from "../routes/_testing.ts";

Deno.test("a pipeline runs from a saved PostgreSQL connection; edits apply to the next run", async () => {
  const t = await testApp();
  const db = await createTestDatabase();
  try {
    await db.sql`CREATE TABLE visits (id int PRIMARY KEY, clinic text)`;
    await db.sql`INSERT INTO visits VALUES (1, 'North'), (2, 'South'), (3, 'East')`;
    const conn = await t.call("POST", "/api/v1/connections", {
      body: {
        name: "EMR replica",
        kind: "source",
        type: "postgres",
        config: { host: "127.0.0.1", user: "postgres", password: "s3cret-pass", database: db.name },
      },
    });
    assert.equal(conn.status, 201, await conn.clone().text());
    const { id: connection } = await conn.json();
    t.deps.allowPrivateNetwork = true;
    const spec = {
      version: 1,
      name: "visits-from-connection",
      source: { type: "postgres", connection, table: "visits", key: "id" },
      transforms: [],
      output: { format: "csv" },
      repository: { type: "file", path: "visits.csv" },
    };
    const made = await t.call("POST", "/api/v1/pipelines", { body: { spec } });
    assert.equal(made.status, 201, await made.clone().text());
    const { id } = await made.json();
    const saved = await (await t.call("GET", `/api/v1/pipelines/${id}`)).json();
    assert.equal(saved.spec.source.connection, connection);
    assert.equal(saved.spec.source.password, undefined, "the spec holds no copy of the secret");

    const first = await (await t.call("POST", `/api/v1/pipelines/${id}/runs`)).json();
    const run = await drive(t.deps, "clinic-a", first.runId);
    assert.equal(run.status, "succeeded", run.error);
    assert.equal(run.counts.written, 3);
    const csv = await Deno.readTextFile(join(t.out, "visits.csv"));
    assert.match(csv, /North/);

    // Pointed at a database that does not exist: the next run fails saying so.
    const patched = await t.call("PATCH", `/api/v1/connections/${connection}`, {
      body: { config: { host: "127.0.0.1", user: "postgres", database: "no_such_db_pyx" } },
    });
    assert.equal(patched.status, 200, await patched.clone().text());
    const second = await (await t.call("POST", `/api/v1/pipelines/${id}/runs`)).json();
    const failed = await drive(t.deps, "clinic-a", second.runId);
    assert.equal(failed.status, "failed");
    assert.match(failed.error ?? "", /no_such_db_pyx/);

    // Deleted: the run fails with a sentence naming the connection.
    assert.equal((await t.call("DELETE", `/api/v1/connections/${connection}`)).status, 204);
    const third = await (await t.call("POST", `/api/v1/pipelines/${id}/runs`));
    assert.equal(third.status, 400);
    assert.match((await third.json()).error, /no saved connection/);
  } finally {
    await db.drop();
    await t.close();
  }
});
