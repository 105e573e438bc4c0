import assert from "node:assert/strict";
import { testContext } from "../testing.ts";
import { createTestDatabase, type TestDatabase } from "../db/_pg_testing.ts";
import { countPostgres } from "../db/_pg_count.ts";
import { buildCount } from "../db/_pg_read.ts";
import { postgresExtractor, PostgresSourceConfig } from "./postgres.ts";

const ctx = () => testContext({ allowPrivateNetwork: true });

function source(db: TestDatabase, fields: Record<string, unknown>) {
  return PostgresSourceConfig.parse({ ...db.config, ...fields });
}

/** Rows a real read gives, to check the count against. */
async function readCount(
  db: TestDatabase,
  fields: Record<string, unknown>,
  since?: string,
): Promise<number> {
  let n = 0;
  const run = postgresExtractor.run(ctx(), source(db, fields), { batchSize: 500, since });
  for await (const batch of run) n += batch.rows.length;
  return n;
}

Deno.test("buildCount counts the read's rows without order, the query as a subquery", () => {
  assert.deepEqual(
    buildCount({ table: "visits", filter: "clinic = 'north'", keyColumn: "id" }),
    { text: `SELECT count(*) AS n FROM "visits" WHERE (clinic = 'north')`, params: [], offset: 0 },
  );
  assert.deepEqual(
    buildCount({ query: "SELECT id, at FROM v;", cursorColumn: "at" }, "2024-01-01"),
    {
      text: `SELECT count(*) AS n FROM (\nSELECT id, at FROM v\n) AS pyx_query WHERE "at" > $1`,
      params: ["2024-01-01"],
      offset: 0,
    },
  );
  // Without a cursor column since is ignored, as the read ignores it.
  assert.deepEqual(buildCount({ table: "v" }, "2024-01-01").params, []);
});

Deno.test("postgresExtractor.count on PostgreSQL", async (t) => {
  const db = await createTestDatabase();
  const count = (fields: Record<string, unknown>, since?: string) =>
    postgresExtractor.count!(ctx(), source(db, fields), { since });
  try {
    await db.sql.unsafe(`
      CREATE TABLE visits_count (id int PRIMARY KEY, clinic text, updated_at timestamptz);
      INSERT INTO visits_count
        SELECT g, CASE WHEN g % 2 = 0 THEN 'north' ELSE 'south' END,
               timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
        FROM generate_series(1, 1200) g;`);

    await t.step("counts a table, and a column list does not change the count", async () => {
      assert.equal(await count({ table: "visits_count" }), 1200);
      assert.equal(await count({ table: "visits_count", columns: ["clinic"] }), 1200);
    });

    await t.step("counts only the rows the filter keeps, as the read gives them", async () => {
      const fields = { table: "visits_count", filter: "clinic = 'north' AND id <= 100" };
      assert.equal(await count(fields), 50);
      assert.equal(await readCount(db, fields), 50);
    });

    await t.step(
      "with since and a cursor column, counts only rows newer than the mark",
      async () => {
        const fields = { table: "visits_count", keyColumn: "id", cursorColumn: "updated_at" };
        const since = "2024-01-01T19:00:00Z"; // minute 1140: 60 rows are newer
        assert.equal(await count(fields, since), 60);
        assert.equal(await readCount(db, fields, since), 60);
        assert.equal(await count({ table: "visits_count" }, since), 1200);
      },
    );

    await t.step("counts a query source, with since too", async () => {
      const query = `SELECT v.id, v.updated_at, v.id AS id FROM visits_count v
        WHERE v.clinic = 'south' ORDER BY v.id; -- the south clinic`;
      assert.equal(await count({ query }), 600);
      assert.equal(await readCount(db, { query }), 600);
      const incremental = {
        query: "SELECT id, updated_at FROM visits_count WHERE clinic = 'south'",
        keyColumn: "id",
        cursorColumn: "updated_at",
      };
      assert.equal(await count(incremental, "2024-01-01T19:00:00Z"), 30);
      assert.equal(await readCount(db, incremental, "2024-01-01T19:00:00Z"), 30);
    });

    await t.step(
      "a query too slow to count within the limit gives undefined, quickly",
      async () => {
        const started = Date.now();
        const config = source(db, { query: "SELECT pg_sleep(5) AS s" });
        assert.equal(await countPostgres(ctx(), config, {}, 300), undefined);
        assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      },
    );

    await t.step("the count runs read-only: a query that writes counts nothing", async () => {
      await db.sql.unsafe("CREATE TABLE count_log (n int)");
      await db.sql.unsafe(`CREATE FUNCTION count_writes() RETURNS int LANGUAGE sql AS
        'INSERT INTO count_log VALUES (1) RETURNING n'`);
      assert.equal(await count({ query: "SELECT count_writes()" }), undefined);
      const [{ n }] = await db.sql.unsafe("SELECT count(*)::int AS n FROM count_log");
      assert.equal(n, 0);
    });

    await t.step("what the read would refuse gives undefined, not an error", async () => {
      // The read reports these with a readable message; a progress total is only optional.
      assert.equal(await count({ table: "no_such_table" }), undefined);
      assert.equal(await count({ table: "visits_count", filter: "nope = 1" }), undefined);
      assert.equal(await count({ table: "visits_count", database: "pyx_missing" }), undefined);
      assert.equal(await count({ table: "visits_count", port: 1 }), undefined);
      const stamped = { table: "visits_count", cursorColumn: "updated_at" };
      assert.equal(await count(stamped, "not a time"), undefined);
      const unchecked = { ...source(db, { table: "visits_count" }), query: "DELETE FROM x" };
      assert.equal(await postgresExtractor.count!(ctx(), unchecked, {}), undefined);
    });

    await t.step("a cancelled run gets undefined without connecting", async () => {
      const controller = new AbortController();
      controller.abort();
      const cancelled = testContext({ allowPrivateNetwork: true, signal: controller.signal });
      const config = source(db, { table: "visits_count" });
      assert.equal(await postgresExtractor.count!(cancelled, config, {}), undefined);
    });
  } finally {
    await db.drop();
  }
});
