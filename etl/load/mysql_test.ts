import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import type { Batch, Schema } from "../types.ts";
import { createTestDatabase, type TestDatabase } from "../db/_mysql_test_db.ts";
import { batchOf, patientBatch, targetOf, TYPED_SCHEMA, typedRows } from "../db/_load_test_rows.ts";
import { MySqlLoadConfig, mysqlLoader } from "./mysql.ts";

const ctx = () => testContext({ allowPrivateNetwork: true });

function repo(db: TestDatabase, fields: Record<string, unknown>) {
  return MySqlLoadConfig.parse({ ...db.config, ...fields });
}

/** One run: open, write each batch, commit. */
async function load(
  db: TestDatabase,
  fields: Record<string, unknown>,
  batches: Batch[],
  schema: Schema = TYPED_SCHEMA,
) {
  const sink = await mysqlLoader.open(ctx(), repo(db, fields), targetOf(schema));
  try {
    for (const b of batches) await sink.write(b);
    return await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

async function count(db: TestDatabase, table: string): Promise<number> {
  const [{ n }] = await db.rows<{ n: string }>(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number(n);
}

async function stagingTables(db: TestDatabase): Promise<string[]> {
  const rows = await db.rows<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '\\_pyxgen\\_stage\\_%'",
    [db.name],
  );
  return rows.map((r) => r.t);
}

Deno.test("mysqlLoader keeps the registry contract", () => {
  assertEntryContract(mysqlLoader);
  assert.equal(mysqlLoader.needsFormat, false);
  assert.deepEqual(mysqlLoader.secrets, ["password"]);
});

Deno.test("mysqlLoader config: upsert without a key is refused", () => {
  const parsed = MySqlLoadConfig.safeParse({
    host: "db",
    database: "d",
    user: "u",
    table: "t",
    mode: "upsert",
  });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error!.issues.map((i) => i.path.join(".")), ["key"]);
});

Deno.test("mysqlLoader on MariaDB", async (t) => {
  const db = await createTestDatabase();
  try {
    await t.step("append creates the table and adds the rows twice on two runs", async () => {
      const first = await load(db, { table: "visits" }, [batchOf(typedRows(["a", "b", "c"]))]);
      assert.deepEqual(first, { records: 3, bytes: 0, location: `${db.name}.visits` });
      await load(db, { table: "visits" }, [
        batchOf(typedRows(["a", "b"])),
        batchOf(typedRows(["d"])),
      ]);
      assert.equal(await count(db, "visits"), 6);
      const [row] = await db.rows(
        `SELECT name, CAST(score AS CHAR) AS score, visits, active, born, seen,
                JSON_EXTRACT(extra, '$.tags[1]') AS tag
           FROM visits WHERE id = 'a' LIMIT 1`,
      );
      assert.deepEqual(row, {
        name: "Zoë 💉 a",
        score: "12345678901234567890.123456789000000000000000000000",
        visits: "9007199254740993",
        active: 1,
        born: "1980-02-29",
        // Converted to UTC: DATETIME has no zone.
        seen: "2024-03-01 08:20:30.500000",
        tag: "b", // JSON_EXTRACT gives JSON, which the driver parses
      });
      const [{ t: ddl }] = await db.rows<{ t: string }>(
        "SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'visits' AND COLUMN_NAME = 'seen'",
        [db.name],
      );
      assert.equal(ddl, "datetime(6)");
      assert.deepEqual(await stagingTables(db), []);
    });

    await t.step("replace leaves exactly this run's rows, and keeps the table itself", async () => {
      await db.admin.query(
        `CREATE TABLE kept (id VARCHAR(20) PRIMARY KEY, name TEXT, score DECIMAL(65,30),
           visits BIGINT, active BOOLEAN, born DATE, seen DATETIME(6), extra JSON,
           note VARCHAR(20) DEFAULT 'user column', INDEX by_name (name(10)));
         INSERT INTO kept (id, name) VALUES ('old1', 'x'), ('old2', 'y');`,
      );
      const result = await load(db, { table: "kept", mode: "replace" }, [
        batchOf(typedRows(["n1", "n2", "n3"])),
      ]);
      assert.equal(result.records, 3);
      const rows = await db.rows<{ id: string; note: string }>(
        "SELECT id, note FROM kept ORDER BY id",
      );
      assert.deepEqual(rows, [
        { id: "n1", note: "user column" },
        { id: "n2", note: "user column" },
        { id: "n3", note: "user column" },
      ]);
      const indexes = await db.rows("SHOW INDEX FROM kept WHERE Key_name = 'by_name'");
      assert.equal(indexes.length, 1);
    });

    await t.step("upsert twice keeps one row per key with the latest values", async () => {
      const fields = { table: "people", mode: "upsert", key: ["id"] };
      await load(db, fields, [batchOf(typedRows(["a", "b", "c"], " v1"))]);
      // The second run updates a and b, adds d; a twice in one run: the last one wins.
      await load(db, fields, [
        batchOf(typedRows(["a", "b"], " v2")),
        batchOf([...typedRows(["d"], " v2"), { ...typedRows(["a"], " v3")[0] }]),
      ]);
      const rows = await db.rows<{ id: string; name: string }>(
        "SELECT id, name FROM people ORDER BY id",
      );
      assert.deepEqual(rows.map((r) => `${r.id}:${r.name}`), [
        "a:Zoë 💉 a v3",
        "b:Zoë 💉 b v2",
        "c:Zoë 💉 c v1",
        "d:Zoë 💉 d v2",
      ]);
      // Ids are case-sensitive, as FHIR ids are.
      await load(db, fields, [batchOf(typedRows(["A"]))]);
      assert.equal(await count(db, "people"), 5);
    });

    await t.step("upsert needs a key, and a unique key on an existing table", async () => {
      const err = await failure(
        mysqlLoader.open(
          ctx(),
          { ...repo(db, { table: "people" }), mode: "upsert" },
          targetOf(TYPED_SCHEMA),
        ),
      );
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /Upsert needs the key column/);
      await db.admin.query(
        "CREATE TABLE nokey (id VARCHAR(20), name TEXT, score TEXT, visits TEXT, active TEXT, born TEXT, seen TEXT, extra TEXT)",
      );
      const nokey = await failure(
        load(db, { table: "nokey", mode: "upsert", key: ["id"] }, [batchOf(typedRows(["a"]))]),
      );
      assert.ok(nokey instanceof ConfigError);
      assert.match(
        nokey.message,
        /^The table pyx_\w+\.nokey has no primary key or unique index on \(id\), so upsert cannot find existing rows: add a unique index on these columns, or use mode append or replace$/,
      );
      const unknownKey = await failure(
        load(db, { table: "other", mode: "upsert", key: ["mrn"] }, [batchOf(typedRows(["a"]))]),
      );
      assert.match(unknownKey.message, /The key column\(s\) "mrn" are not in the data/);
    });

    await t.step("an existing table missing columns is refused with their names", async () => {
      await db.admin.query("CREATE TABLE narrow (id VARCHAR(20), name TEXT)");
      const err = await failure(load(db, { table: "narrow" }, [batchOf(typedRows(["a"]))]));
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        `The table ${db.name}.narrow has no column "score", "visits", "active", "born", "seen", "extra": add them to the table, or load into a new table`,
      );
    });

    await t.step("FHIR rows: the resource column is JSON the database can query", async () => {
      const { schema, batch } = patientBatch();
      await load(db, { table: "patient", mode: "upsert", key: ["id"] }, [batch], schema);
      const rows = await db.rows(
        `SELECT id, JSON_VALUE(resource, '$.name[0].family') AS family,
                JSON_VALUE(resource, '$.resourceType') AS type, birth_date
           FROM patient ORDER BY id`,
      );
      assert.deepEqual(rows, [
        { id: "P-1", family: "Núñez", type: "Patient", birth_date: "1980-02-29" },
        { id: "P-2", family: "Turing", type: "Patient", birth_date: "1912-06-23" },
      ]);
      const [{ t: type }] = await db.rows<{ t: string }>(
        "SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'patient' AND COLUMN_NAME = 'id'",
        [db.name],
      );
      assert.equal(type, "varchar");
    });

    await t.step("a failed run leaves the table as it was and no staging table", async () => {
      const before = await db.rows("SELECT * FROM people ORDER BY id");
      // Aborted after writing.
      const sink = await mysqlLoader.open(
        ctx(),
        repo(db, { table: "people", mode: "replace" }),
        targetOf(TYPED_SCHEMA),
      );
      await sink.write(batchOf(typedRows(["z1", "z2"])));
      assert.equal((await stagingTables(db)).length, 1);
      await sink.abort();
      assert.deepEqual(await db.rows("SELECT * FROM people ORDER BY id"), before);
      assert.deepEqual(await stagingTables(db), []);

      // Cancelled: the signal drops the connection; abort() still removes the staging table.
      const controller = new AbortController();
      const cancelled = await mysqlLoader.open(
        testContext({ allowPrivateNetwork: true, signal: controller.signal }),
        repo(db, { table: "people", mode: "replace" }),
        targetOf(TYPED_SCHEMA),
      );
      await cancelled.write(batchOf(typedRows(["z3"])));
      controller.abort();
      await cancelled.abort();
      assert.deepEqual(await db.rows("SELECT * FROM people ORDER BY id"), before);
      assert.deepEqual(await stagingTables(db), []);

      // A commit that fails half-way: replace deletes, then the insert hits a duplicate key.
      const dup = await failure(
        load(db, { table: "people", mode: "replace" }, [batchOf(typedRows(["q", "q"]))]),
      );
      assert.ok(dup instanceof ConfigError);
      assert.match(
        dup.message,
        /^Two rows have the same key \(Duplicate entry 'q' for key 'PRIMARY'\)/,
      );
      assert.deepEqual(await db.rows("SELECT * FROM people ORDER BY id"), before);
      assert.deepEqual(await stagingTables(db), []);

      // A table the failed run created is gone again.
      await failure(
        load(db, { table: "fresh", mode: "append", key: ["id"] }, [batchOf(typedRows(["q", "q"]))]),
      );
      const fresh = await db.rows(
        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'fresh'",
        [db.name],
      );
      assert.deepEqual(fresh, []);
    });

    await t.step("a value that does not fit names the column and the source row", async () => {
      const rows = typedRows(["a", "b"]);
      rows[1].born = "29/02/1980";
      const err = await failure(load(db, { table: "visits" }, [batchOf(rows)]));
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        "A value does not fit its column: Incorrect date value: '29/02/1980' for column `born` (clinic.csv key b)",
      );
      assert.deepEqual(await stagingTables(db), []);
    });

    await t.step("test() says who is connected", async () => {
      const { message } = await mysqlLoader.test!(ctx(), repo(db, { table: "x" }));
      assert.match(message, /^Connected to MariaDB \d+\.\d+\.\d+ as root, database pyx_/);
    });
  } finally {
    await db.drop();
  }
});
