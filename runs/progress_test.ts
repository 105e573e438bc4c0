import assert from "node:assert/strict";
import { createTestDatabase } from "../etl/db/_pg_testing.ts";
import { getRun, handleStep, startRun } from "./engine.ts";
import { testEngine } from "./_engine_testing.ts";

Deno.test("a run from a PostgreSQL table knows its total from step 0 and its rows grow to it", async () => {
  const db = await createTestDatabase();
  const e = await testEngine({ rows: 100 });
  const { deps } = e;
  const kv = deps.kv;
  try {
    await db.sql.unsafe(`
      CREATE TABLE progress_rows (id int PRIMARY KEY, name text);
      INSERT INTO progress_rows SELECT g, 'n' || g FROM generate_series(1, 350) g;`);
    const run = await startRun(deps, {
      tenant: "clinic",
      spec: {
        version: 1,
        name: "progress",
        source: { type: "postgres", ...db.config, table: "progress_rows", keyColumn: "id" },
        transforms: [],
        output: { format: "ndjson" },
        repository: { type: "file", path: "progress.ndjson" },
        options: { batchSize: 50 },
      },
    });
    const seen: Array<[number, number | undefined]> = [];
    for (let i = 0; i < 20; i++) {
      const now = await getRun(kv, "clinic", run.id);
      if (!now || now.status === "succeeded" || now.status === "failed") break;
      await handleStep(deps, {
        kind: "step",
        id: `${run.id}:${now.seq}`,
        tenant: "clinic",
        run: run.id,
        seq: now.seq,
      });
      const after = await getRun(kv, "clinic", run.id);
      seen.push([after!.counts.read, after!.total]);
    }
    const done = await getRun(kv, "clinic", run.id);
    assert.equal(done?.status, "succeeded", done?.error);
    // Planning learns the total; each read step moves the rows done towards it.
    assert.deepEqual(seen, [[0, 350], [100, 350], [200, 350], [300, 350], [350, 350], [350, 350]]);
  } finally {
    await e.close();
    await db.drop();
  }
});
