import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ConfigError } from "../errors.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import type { Batch, Schema } from "../types.ts";
import { batchOf, patientBatch, targetOf, TYPED_SCHEMA, typedRows } from "../db/_load_test_rows.ts";
import { SqliteLoadConfig, sqliteLoader } from "./sqlite.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function load(
  dir: string,
  fields: Record<string, unknown>,
  batches: Batch[],
  schema: Schema = TYPED_SCHEMA,
) {
  const config = SqliteLoadConfig.parse({ path: "out/clinic.sqlite", ...fields });
  const sink = await sqliteLoader.open(testContext({ outputRoot: dir }), config, targetOf(schema));
  try {
    for (const b of batches) await sink.write(b);
    return await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/** Rows of a query on the file, opened the way another program would. */
function query(dir: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(`${dir}/out/clinic.sqlite`, { readOnly: true });
  try {
    const statement = db.prepare(sql);
    statement.setReadBigInts(true);
    return statement.all().map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

const ids = (dir: string, table: string) =>
  query(dir, `SELECT id, name FROM ${table} ORDER BY id`).map((r) => `${r.id}:${r.name}`);

Deno.test("sqliteLoader keeps the registry contract", () => {
  assertEntryContract(sqliteLoader);
  assert.equal(sqliteLoader.needsFormat, false);
  assert.deepEqual(sqliteLoader.secrets, []);
});

Deno.test("sqliteLoader appends twice, keeping every type exact", async () => {
  await withDir(async (dir) => {
    const result = await load(dir, { table: "visits" }, [batchOf(typedRows(["a", "b", "c"]))]);
    assert.deepEqual(result, { records: 3, bytes: 0, location: "out/clinic.sqlite:visits" });
    await load(dir, { table: "visits" }, [batchOf(typedRows(["a", "b"])), batchOf([])]);
    assert.equal(query(dir, "SELECT COUNT(*) AS n FROM visits")[0].n, 5n);
    assert.deepEqual(query(dir, "SELECT * FROM visits WHERE id = 'a' LIMIT 1")[0], {
      id: "a",
      name: "Zoë 💉 a",
      score: "12345678901234567890.123456789",
      visits: 9007199254740993n,
      active: 1n,
      born: "1980-02-29",
      seen: "2024-03-01T08:20:30.500000Z",
      extra: '{"tags":["a","b"],"n":1}',
    });
    // No staging table and no journal file is left in the folder.
    assert.deepEqual(query(dir, "SELECT name FROM sqlite_schema"), [{ name: "visits" }]);
    assert.deepEqual([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name), ["clinic.sqlite"]);
  });
});

Deno.test("sqliteLoader replace leaves exactly this run's rows", async () => {
  await withDir(async (dir) => {
    await load(dir, { table: "people" }, [batchOf(typedRows(["old1", "old2"]))]);
    await load(dir, { table: "people", mode: "replace" }, [batchOf(typedRows(["n1", "n2"]))]);
    assert.deepEqual(ids(dir, "people"), ["n1:Zoë 💉 n1", "n2:Zoë 💉 n2"]);
  });
});

Deno.test("sqliteLoader upsert twice keeps one row per key with the latest values", async () => {
  await withDir(async (dir) => {
    const fields = { table: "people", mode: "upsert", key: ["id"] };
    await load(dir, fields, [batchOf(typedRows(["a", "b", "c"], " v1"))]);
    await load(dir, fields, [
      batchOf(typedRows(["a", "b"], " v2")),
      batchOf([...typedRows(["d"], " v2"), typedRows(["a"], " v3")[0]]),
    ]);
    assert.deepEqual(ids(dir, "people"), [
      "a:Zoë 💉 a v3",
      "b:Zoë 💉 b v2",
      "c:Zoë 💉 c v1",
      "d:Zoë 💉 d v2",
    ]);
  });
});

Deno.test("sqliteLoader refuses upsert without a key, or without a unique key on the table", async () => {
  const parsed = SqliteLoadConfig.safeParse({ path: "a.sqlite", table: "t", mode: "upsert" });
  assert.deepEqual(parsed.error?.issues.map((i) => i.path.join(".")), ["key"]);
  await withDir(async (dir) => {
    await load(dir, { table: "plain" }, [batchOf(typedRows(["a"]))]);
    const err = await failure(
      load(dir, { table: "plain", mode: "upsert", key: ["id"] }, [batchOf(typedRows(["a"]))]),
    );
    assert.ok(err instanceof ConfigError);
    assert.match(
      err.message,
      /^The table out\/clinic.sqlite:plain has no primary key or unique index on \(id\)/,
    );
    assert.equal(query(dir, "SELECT COUNT(*) AS n FROM plain")[0].n, 1n);
  });
});

Deno.test("sqliteLoader stores FHIR resources as JSON that json_extract reads", async () => {
  await withDir(async (dir) => {
    const { schema, batch } = patientBatch();
    await load(dir, { table: "patient", mode: "upsert", key: ["id"] }, [batch], schema);
    assert.deepEqual(
      query(
        dir,
        `SELECT id, json_extract(resource, '$.name[0].family') AS family,
                json_extract(resource, '$.resourceType') AS type FROM patient ORDER BY id`,
      ),
      [
        { id: "P-1", family: "Núñez", type: "Patient" },
        { id: "P-2", family: "Turing", type: "Patient" },
      ],
    );
  });
});

Deno.test("sqliteLoader: a failed run leaves the file's table as it was", async () => {
  await withDir(async (dir) => {
    await load(dir, { table: "people", key: ["id"] }, [batchOf(typedRows(["a", "b"]))]);
    const before = query(dir, "SELECT * FROM people ORDER BY id");
    // Aborted after writes.
    const config = SqliteLoadConfig.parse({
      path: "out/clinic.sqlite",
      table: "people",
      mode: "replace",
    });
    const sink = await sqliteLoader.open(
      testContext({ outputRoot: dir }),
      config,
      targetOf(TYPED_SCHEMA),
    );
    await sink.write(batchOf(typedRows(["x", "y"])));
    await sink.abort();
    assert.deepEqual(query(dir, "SELECT * FROM people ORDER BY id"), before);
    // A commit that fails half-way: replace deletes, then a duplicate key stops the insert.
    const err = await failure(
      load(dir, { table: "people", mode: "replace" }, [batchOf(typedRows(["q", "q"]))]),
    );
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(
      err.message,
      /^Two rows have the same key \(UNIQUE constraint failed: people.id\)/,
    );
    assert.deepEqual(query(dir, "SELECT * FROM people ORDER BY id"), before);
    // A table the failed run would have created does not appear.
    await failure(
      load(dir, { table: "fresh", key: ["id"] }, [batchOf(typedRows(["q", "q"]))]),
    );
    assert.deepEqual(query(dir, "SELECT name FROM sqlite_schema ORDER BY name"), [
      { name: "people" },
      { name: "sqlite_autoindex_people_1" },
    ]);
    // A failed run into a new file leaves no file.
    await failure(
      load(dir, { path: "out/new.sqlite", table: "t", key: ["id"] }, [
        batchOf(typedRows(["q", "q"])),
      ]),
    );
    assert.equal(await Deno.stat(`${dir}/out/new.sqlite`).then(() => true, () => false), false);
  });
});

Deno.test("sqliteLoader refuses paths outside the output folder and non-SQLite files", async () => {
  await withDir(async (dir) => {
    for (const path of ["../escape.sqlite", "/tmp/abs.sqlite", "out/../../x.sqlite"]) {
      const err = await failure(load(dir, { path, table: "t" }, [batchOf(typedRows(["a"]))]));
      assert.ok(err instanceof ConfigError, path);
      assert.match(err.message, /absolute|outside its root folder/, path);
    }
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(
      `${dir}/out/notes.txt`,
      "just some text, not a database at all\n".repeat(50),
    );
    const err = await failure(
      load(dir, { path: "out/notes.txt", table: "t" }, [batchOf(typedRows(["a"]))]),
    );
    assert.equal(err.message, '"out/notes.txt" is not a SQLite database file: choose another path');
  });
});
