import assert from "node:assert/strict";
import { testContext } from "../testing.ts";
import { createTestDatabase, type TestDatabase } from "../db/_mysql_test_db.ts";
import { countMySql } from "../db/_mysql_count.ts";
import { countSelect } from "../db/_mysql_select.ts";
import { mysqlExtractor, MySqlSourceConfig } from "./mysql.ts";

const ctx = () => testContext({ allowPrivateNetwork: true });

function source(db: TestDatabase, fields: Record<string, unknown>) {
  return MySqlSourceConfig.parse({ ...db.config, ...fields });
}

/** Rows a real read gives, to check the count against. */
async function readCount(
  db: TestDatabase,
  fields: Record<string, unknown>,
  since?: string,
): Promise<number> {
  let n = 0;
  const run = mysqlExtractor.run(ctx(), source(db, fields), { batchSize: 500, since });
  for await (const batch of run) n += batch.rows.length;
  return n;
}

Deno.test("countSelect counts the read's rows without order, nesting a query", () => {
  const escape = (v: string) => `'${v}'`;
  assert.equal(
    countSelect({ table: "visits", filter: "clinic = 'north'", keyColumn: "id" }, [], {}, escape),
    "SELECT COUNT(*) AS n FROM `visits` WHERE (clinic = 'north')",
  );
  assert.equal(
    countSelect({ query: "SELECT id, at FROM v;", cursorColumn: "at" }, [], {
      since: "2024-01-01",
    }, escape),
    "SELECT COUNT(*) AS n FROM (\nSELECT id, at FROM v\n) AS _pyx_q WHERE `at` > '2024-01-01'",
  );
});

Deno.test("mysqlExtractor.count on MariaDB", async (t) => {
  const db = await createTestDatabase();
  const count = (fields: Record<string, unknown>, since?: string) =>
    mysqlExtractor.count!(ctx(), source(db, fields), { since });
  try {
    await db.admin.query(
      `CREATE TABLE visits_count (id INT PRIMARY KEY, clinic VARCHAR(20), updated_at DATETIME)
         DEFAULT CHARSET=utf8mb4;
       INSERT INTO visits_count SELECT seq, IF(seq % 2 = 0, 'north', 'south'),
         TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE FROM seq_1_to_1200;`,
    );

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
        const since = "2024-01-01 19:00:00"; // minute 1140: 60 rows are newer
        assert.equal(await count(fields, since), 60);
        assert.equal(await readCount(db, fields, since), 60);
        // Without a cursor column the read ignores since, and so does the count.
        assert.equal(await count({ table: "visits_count" }, since), 1200);
      },
    );

    await t.step("counts a query source, with since too", async () => {
      const query = `SELECT v.id, v.updated_at FROM visits_count v
        WHERE v.clinic = 'south' ORDER BY v.id -- the south clinic`;
      assert.equal(await count({ query }), 600);
      assert.equal(await readCount(db, { query }), 600);
      const incremental = { query, keyColumn: "id", cursorColumn: "updated_at" };
      assert.equal(await count(incremental, "2024-01-01 19:00:00"), 30);
      assert.equal(await readCount(db, incremental, "2024-01-01 19:00:00"), 30);
    });

    await t.step(
      "a query too slow to count within the limit gives undefined, quickly",
      async () => {
        const started = Date.now();
        const config = source(db, { query: "SELECT SLEEP(5) AS s" });
        assert.equal(await countMySql(ctx(), config, {}, 300), undefined);
        assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      },
    );

    await t.step("what the read would refuse gives undefined, not an error", async () => {
      // The read reports these with a readable message; a progress total is only optional.
      assert.equal(await count({ table: "no_such_table" }), undefined);
      assert.equal(await count({ table: "visits_count", filter: "nope = 1" }), undefined);
      assert.equal(await count({ table: "visits_count", password: "wrong-Pw-123" }), undefined);
      assert.equal(await count({ table: "visits_count", port: 1 }), undefined);
      const numeric = { table: "visits_count", cursorColumn: "id" };
      assert.equal(await count(numeric, "not a number"), undefined);
      // MariaDB cannot nest a query whose columns repeat a name; the read still works.
      const join = "SELECT a.id, b.id FROM visits_count a JOIN visits_count b ON a.id = b.id";
      assert.equal(await count({ query: join }), undefined);
      const unchecked = { ...source(db, { table: "visits_count" }), query: "DELETE FROM x" };
      assert.equal(await mysqlExtractor.count!(ctx(), unchecked, {}), undefined);
    });

    await t.step("a cancelled run gets undefined without connecting", async () => {
      const controller = new AbortController();
      controller.abort();
      const cancelled = testContext({ allowPrivateNetwork: true, signal: controller.signal });
      const config = source(db, { table: "visits_count" });
      assert.equal(await mysqlExtractor.count!(cancelled, config, {}), undefined);
    });
  } finally {
    await db.drop();
  }
});
