import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { createTestDatabase, type TestDatabase } from "../db/_pg_testing.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import type { Batch, ExtractOptions } from "../types.ts";
import { postgresExtractor, PostgresSourceConfig } from "./postgres.ts";

const ctx = testContext({ allowPrivateNetwork: true });

function configOf(db: TestDatabase, fields: Record<string, unknown>) {
  return PostgresSourceConfig.parse({ ...db.config, ...fields });
}

async function readAll(
  config: PostgresSourceConfig,
  options: ExtractOptions = { batchSize: 1000 },
): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of postgresExtractor.run(ctx, config, options)) out.push(batch);
  return out;
}

Deno.test("postgresExtractor keeps the registry entry contract and checks its config", () => {
  assertEntryContract(postgresExtractor);
  assert.equal(postgresExtractor.type, "postgres");
  const base = { host: "db.example.org", database: "clinic", user: "etl" };
  assert.equal(PostgresSourceConfig.safeParse(base).success, false);
  assert.equal(
    PostgresSourceConfig.safeParse({ ...base, table: "a", query: "select 1" }).success,
    false,
  );
  const filtered = PostgresSourceConfig.safeParse({ ...base, query: "select 1", filter: "x = 1" });
  assert.deepEqual(filtered.error?.issues.map((i) => i.path.join(".")), ["filter"]);
  assert.equal(PostgresSourceConfig.parse({ ...base, table: "a" }).binary, "refuse");
});

Deno.test("postgresExtractor reads a PostgreSQL database", async (t) => {
  const db = await createTestDatabase();
  try {
    await db.sql.unsafe(`
      CREATE TABLE visits (id int PRIMARY KEY, clinic text, amount numeric, updated_at timestamptz);
      INSERT INTO visits
        SELECT g, CASE WHEN g % 2 = 0 THEN 'north' ELSE 'south' END, g * 1.5,
               timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
        FROM generate_series(1, 25000) g;
      ANALYZE visits;`);

    await t.step("streams a 25k-row table in batches with the exact row count", async () => {
      const batches = await readAll(configOf(db, { table: "visits", keyColumn: "id" }), {
        batchSize: 4000,
      });
      assert.deepEqual(batches.map((b) => b.rows.length), [
        4000,
        4000,
        4000,
        4000,
        4000,
        4000,
        1000,
      ]);
      const ids = batches.flatMap((b) => b.rows.map((r) => r.id));
      assert.equal(new Set(ids).size, 25000);
      assert.deepEqual(batches[0].rows[0], {
        id: 1,
        clinic: "south",
        amount: "1.5",
        updated_at: "2024-01-01T00:01:00Z",
      });
      assert.deepEqual(batches[0].refs[0], { source: "visits", key: "1" });
      assert.deepEqual(batches[0].cursor, { lastKey: "4000" });
    });

    await t.step("reads a column list with a filter", async () => {
      const batches = await readAll(
        configOf(db, {
          table: "visits",
          columns: ["id", "clinic"],
          filter: "id <= 10 AND clinic = 'north'",
        }),
      );
      const rows = batches.flatMap((b) => b.rows);
      assert.equal(rows.length, 5);
      assert.deepEqual(Object.keys(rows[0]), ["id", "clinic"]);
      assert.ok(rows.every((r) => r.clinic === "north"));
    });

    await t.step("resumes after the cursor of a batch: every row exactly once", async () => {
      const config = configOf(db, { table: "visits", keyColumn: "id" });
      const first: Batch[] = [];
      for await (const batch of postgresExtractor.run(ctx, config, { batchSize: 3000 })) {
        first.push(batch);
        if (first.length === 2) break; // the consumer stops: the connection must still close
      }
      const rest = await readAll(config, { batchSize: 3000, from: first[1].cursor });
      const ids = [...first, ...rest].flatMap((b) => b.rows.map((r) => r.id as number));
      assert.equal(ids.length, 25000);
      assert.equal(new Set(ids).size, 25000);
      assert.equal(rest[0].rows[0].id, 6001);
    });

    await t.step("incremental: only rows newer than since, with the high-water mark", async () => {
      const config = configOf(db, { table: "visits", keyColumn: "id", cursorColumn: "updated_at" });
      const batches = await readAll(config, {
        batchSize: 100,
        since: "2024-01-17T10:00:00Z", // minute 23640
      });
      const rows = batches.flatMap((b) => b.rows);
      assert.equal(rows.length, 25000 - 23640);
      assert.equal(rows[0].id, 23641);
      // The greatest value so far: the last row of the batch (ids 23641..23740).
      assert.equal(batches[0].highWater, "2024-01-17T11:40:00Z");
      assert.equal(batches[0].cursor.lastCursor, "2024-01-17T11:40:00Z");
      assert.equal(batches.at(-1)?.highWater, "2024-01-18T08:40:00Z");
      const again = await readAll(config, { batchSize: 100, since: batches.at(-1)?.highWater });
      assert.equal(again.length, 0);
    });

    await t.step("query mode runs one read-only SELECT and refuses anything else", async () => {
      const config = configOf(db, {
        query:
          "SELECT clinic, count(*) AS n FROM visits GROUP BY clinic ORDER BY clinic; -- per clinic",
      });
      const rows = (await readAll(config)).flatMap((b) => b.rows);
      assert.deepEqual(rows, [{ clinic: "north", n: 12500 }, { clinic: "south", n: 12500 }]);
      const refused = await failure(
        readAll(configOf(db, { query: "DELETE FROM visits" })),
      );
      assert.ok(refused instanceof ConfigError);
      assert.match(refused.message, /starts with "delete": only a read-only SELECT/);
      const sneaky = await failure(
        readAll(
          configOf(db, { query: "WITH d AS (DELETE FROM visits RETURNING id) SELECT * FROM d" }),
        ),
      );
      assert.match(sneaky.message, /tries to change data/);
      const [{ count }] = await db.sql`SELECT count(*)::int AS count FROM visits`;
      assert.equal(count, 25000);
    });

    await t.step("without a key column the cursor is an offset", async () => {
      const config = configOf(db, { query: "SELECT id FROM visits WHERE id <= 250 ORDER BY id" });
      const first = await readAll(config, { batchSize: 100 });
      assert.deepEqual(first.map((b) => b.cursor), [{ offset: 100 }, { offset: 200 }, {
        offset: 250,
      }]);
      assert.deepEqual(first[1].refs[0], { source: "query", index: 100 });
      const rest = (await readAll(config, { batchSize: 100, from: first[1].cursor }))
        .flatMap((b) => b.rows.map((r) => r.id));
      assert.deepEqual(rest, Array.from({ length: 50 }, (_, i) => 201 + i));
    });

    await t.step("columns() names the columns without reading rows", async () => {
      assert.deepEqual(
        await postgresExtractor.columns!(ctx, configOf(db, { table: "visits" })),
        ["id", "clinic", "amount", "updated_at"],
      );
      assert.deepEqual(
        await postgresExtractor.columns!(
          ctx,
          configOf(db, { table: "visits", columns: ["clinic"], keyColumn: "id" }),
        ),
        ["clinic", "id"],
      );
      assert.deepEqual(
        await postgresExtractor.fingerprint(ctx, configOf(db, { table: "visits" })),
        [],
      );
    });

    await t.step("test() and catalog() describe the server and its tables", async () => {
      const check = await postgresExtractor.test!(ctx, configOf(db, { table: "visits" }));
      assert.match(
        check.message,
        new RegExp(`^Connected to PostgreSQL 1\\d\\.\\d+ as postgres, database ${db.name}$`),
      );
      await db.sql.unsafe(
        `CREATE SCHEMA lab; CREATE TABLE lab.results (code text, value numeric, taken date, ok boolean, raw jsonb)`,
      );
      const catalog = await postgresExtractor.catalog!(ctx, configOf(db, { table: "visits" }));
      const visits = catalog.find((c) => c.name === "visits");
      assert.deepEqual(visits?.columns, [
        { name: "id", type: "integer" },
        { name: "clinic", type: "string" },
        { name: "amount", type: "decimal" },
        { name: "updated_at", type: "datetime" },
      ]);
      assert.equal(visits?.rows, 25000);
      assert.deepEqual(catalog.find((c) => c.name === "lab.results")?.columns.map((c) => c.type), [
        "string",
        "decimal",
        "date",
        "boolean",
        "json",
      ]);
      assert.ok(
        !catalog.some((c) => c.name.startsWith("pg_") || c.name.startsWith("information_schema")),
      );
    });

    await t.step("says which table, column or filter is wrong", async () => {
      const missing = await failure(readAll(configOf(db, { table: "patients" })));
      assert.ok(missing instanceof ConfigError);
      assert.equal(
        missing.message,
        `The table "patients" does not exist in database "${db.name}": check the table name (schema.table)`,
      );
      const column = await failure(
        readAll(configOf(db, { table: "visits", columns: ["id", "mrn"] })),
      );
      assert.equal(
        column.message,
        'In table "visits": column "mrn" does not exist; check the column names',
      );
      const filter = await failure(
        readAll(configOf(db, { table: "visits", filter: "clinic = = 'x'" })),
      );
      assert.ok(filter instanceof ConfigError);
      assert.match(
        filter.message,
        /^The filter "clinic = = 'x'" is not valid SQL: syntax error at or near "="$/,
      );
    });

    await t.step("an abort or an error closes the connection", async () => {
      // Backends end just after their client hangs up: wait up to a second for that.
      const open = async () => {
        for (let i = 0;; i++) {
          const [{ n }] = await db.sql`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = ${db.name} AND application_name = 'PyxGen Portal'`;
          if (n === 0 || i === 20) return n;
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const controller = new AbortController();
      const aborting = testContext({ allowPrivateNetwork: true, signal: controller.signal });
      const config = configOf(db, { table: "visits", keyColumn: "id" });
      let batches = 0;
      for await (const _ of postgresExtractor.run(aborting, config, { batchSize: 1000 })) {
        batches++;
        controller.abort();
      }
      assert.equal(batches, 1);
      assert.equal(await open(), 0);
      await failure(readAll(configOf(db, { table: "visits", filter: "nope > 1" })));
      assert.equal(await open(), 0);
    });

    await t.step("says when the user may not read the table, or the query is not SQL", async () => {
      const role = `${db.name}_reader`;
      await db.sql.unsafe(`CREATE ROLE ${role} LOGIN`);
      try {
        const err = await failure(readAll(configOf(db, { table: "visits", user: role })));
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          `User "${role}" may not read table "visits": permission denied for table visits; ask the database administrator for the rights`,
        );
      } finally {
        await db.sql.unsafe(`DROP ROLE ${role}`);
      }
      const bad = await failure(readAll(configOf(db, { query: "SELECT id FROM visits WHERE" })));
      assert.ok(bad instanceof ConfigError);
      assert.equal(bad.message, "The query is not valid SQL: syntax error at end of input");
    });
  } finally {
    await db.drop();
  }
});

const TYPED_TABLE = `
  CREATE TABLE typed (
    id int8 PRIMARY KEY, big int8, amount numeric, born date, seen timestamptz, local timestamp,
    name text, note text, doc jsonb, ratio float8
  );
  INSERT INTO typed VALUES
    (1, 9007199254740993, 12345678901234567890.123456789, '2024-03-01',
     '2024-03-01 00:30:00.123456+00', '2024-03-01 00:30:00', 'Zoë Ñúñez 🩺', NULL,
     '{"gender": "female", "tags": ["a", 1]}', 0.1),
    (2, 42, -0.5, '1999-12-31', '2023-06-30 23:59:59-07', '2023-06-30 23:59:59.5', 'Ana', 'x',
     'null', 'NaN');
  CREATE TABLE scans (id int PRIMARY KEY, photo bytea);
  INSERT INTO scans VALUES (1, '\\x00ff10'), (2, NULL);`;

const EXPECTED_TYPED = [
  {
    id: 1,
    big: "9007199254740993",
    amount: "12345678901234567890.123456789",
    born: "2024-03-01",
    seen: "2024-03-01T00:30:00.123456Z",
    local: "2024-03-01T00:30:00",
    name: "Zoë Ñúñez 🩺",
    note: null,
    doc: { gender: "female", tags: ["a", 1] },
    ratio: 0.1,
  },
  {
    id: 2,
    big: 42,
    amount: "-0.5",
    born: "1999-12-31",
    seen: "2023-07-01T06:59:59Z",
    local: "2023-06-30T23:59:59.5",
    name: "Ana",
    note: "x",
    doc: null,
    ratio: "NaN",
  },
];

/** Read a source in another process whose TZ is far from UTC: values must not move. */
async function readInZone(config: PostgresSourceConfig, zone: string): Promise<unknown> {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/read.ts`;
    await Deno.writeTextFile(
      script,
      `import { postgresExtractor } from ${
        JSON.stringify(new URL("./postgres.ts", import.meta.url).href)
      };
import { testContext } from ${JSON.stringify(new URL("../testing.ts", import.meta.url).href)};
const rows = [];
const ctx = testContext({ allowPrivateNetwork: true });
for await (const b of postgresExtractor.run(ctx, JSON.parse(Deno.args[0]), { batchSize: 10 })) rows.push(...b.rows);
console.log(JSON.stringify({ zone: new Date(2024, 0, 1).getTimezoneOffset(), rows }));`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-check",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        script,
        JSON.stringify(config),
      ],
      env: { TZ: zone },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("postgresExtractor keeps values faithful", async (t) => {
  const db = await createTestDatabase();
  try {
    await db.sql.unsafe(TYPED_TABLE);

    await t.step("numeric, int8, dates, timestamps, text, null, jsonb, float", async () => {
      const rows = (await readAll(configOf(db, { table: "typed", keyColumn: "id" })))
        .flatMap((b) => b.rows);
      assert.deepEqual(rows, EXPECTED_TYPED);
    });

    await t.step("dates and timestamps do not move with the process time zone", async () => {
      const config = configOf(db, { table: "typed", keyColumn: "id" });
      const auckland = await readInZone(config, "Pacific/Auckland");
      assert.deepEqual(auckland, { zone: -780, rows: EXPECTED_TYPED });
      const hawaii = await readInZone(config, "Pacific/Honolulu");
      assert.deepEqual(hawaii, { zone: 600, rows: EXPECTED_TYPED });
    });

    await t.step("bytea is refused with the column's name, or read as base64", async () => {
      const refused = await failure(readAll(configOf(db, { table: "scans" })));
      assert.ok(refused instanceof ConfigError);
      assert.equal(
        refused.message,
        'The column "photo" holds binary data (bytea), which is not read by default: leave it out of the columns, or set binary to "base64" to read it as base64 text',
      );
      const columnsRefused = await failure(
        postgresExtractor.columns!(ctx, configOf(db, { table: "scans" })),
      );
      assert.match(columnsRefused.message, /"photo" holds binary data/);
      const rows =
        (await readAll(configOf(db, { table: "scans", keyColumn: "id", binary: "base64" })))
          .flatMap((b) => b.rows);
      assert.deepEqual(rows, [{ id: 1, photo: "AP8Q" }, { id: 2, photo: null }]);
      const without = (await readAll(configOf(db, { table: "scans", columns: ["id"] })))
        .flatMap((b) => b.rows);
      assert.equal(without.length, 2);
    });
  } finally {
    await db.drop();
  }
});
