import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { ConfigError } from "../errors.ts";
import * as pg from "../db/_pg_testing.ts";
import * as my from "../db/_mysql_test_db.ts";
import { testContext } from "../testing.ts";
import type { Loader, Row, RunContext, Schema, Sink, SinkState } from "../types.ts";
import { PostgresLoadConfig, postgresLoader } from "./postgres.ts";
import { MySqlLoadConfig, mysqlLoader } from "./mysql.ts";
import { SqliteLoadConfig, sqliteLoader } from "./sqlite.ts";

const VISITS: Schema = {
  columns: [
    { name: "id", type: "integer" },
    { name: "patient", type: "string" },
    { name: "amount", type: "decimal" },
  ],
};

/** Five batches of three visits, ids 1–15; `tag` marks which write a row came from. */
function batch(b: number, tag = "a", schema = VISITS): Row[] {
  return [0, 1, 2].map((r) => ({
    id: b * 3 + r + 1,
    patient: `P-${b * 3 + r + 1}-${tag}`,
    amount: `${b}.${r}5`,
  })).map((row) => schema.columns.length ? row : { ...row, id: String(row.id) });
}

/** One database of a dialect, and what the tests need to look into it. */
interface Fixture {
  loader: Loader;
  config(table: string, fields?: Record<string, unknown>): unknown;
  ctx: RunContext;
  /** The table's rows as text, by id. */
  rows(table: string): Promise<string[]>;
  /** Staging tables left in the database. */
  staging(): Promise<string[]>;
  dropStaging(name: string): Promise<void>;
  /** Run a statement on the database, as its administrator. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const STAGING_LIKE = "'\\_pyxgen\\_stage\\_%'";

async function postgresFixture(): Promise<Fixture> {
  const db = await pg.createTestDatabase();
  return {
    loader: postgresLoader,
    config: (table, fields) => PostgresLoadConfig.parse({ ...db.config, table, ...fields }),
    ctx: testContext({ allowPrivateNetwork: true }),
    rows: async (table) =>
      (await db.sql.unsafe(
        `SELECT concat_ws('|', id, patient, amount) AS r FROM "${table}" ORDER BY id::bigint`,
      )).map((r) => String(r.r)),
    staging: async () =>
      (await db.sql.unsafe(
        `SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE ${STAGING_LIKE}`,
      )).map((r) => String(r.relname)),
    dropStaging: async (name) => void await db.sql.unsafe(`DROP TABLE "${name}"`),
    exec: async (sql) => void await db.sql.unsafe(sql),
    close: () => db.drop(),
  };
}

async function mysqlFixture(): Promise<Fixture> {
  const db = await my.createTestDatabase();
  return {
    loader: mysqlLoader,
    config: (table, fields) => MySqlLoadConfig.parse({ ...db.config, table, ...fields }),
    ctx: testContext({ allowPrivateNetwork: true }),
    rows: async (table) =>
      (await db.rows<{ r: string }>(
        `SELECT CONCAT_WS('|', id, patient, amount) AS r FROM \`${table}\`
          ORDER BY CAST(id AS UNSIGNED)`,
      )).map((r) => r.r),
    staging: async () =>
      (await db.rows<{ t: string }>(
        `SELECT TABLE_NAME AS t FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ${STAGING_LIKE}`,
        [db.name],
      )).map((r) => r.t),
    dropStaging: async (name) => void await db.admin.query(`DROP TABLE \`${name}\``),
    exec: async (sql) => void await db.admin.query(sql),
    close: () => db.drop(),
  };
}

async function sqliteFixture(): Promise<Fixture> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/clinic.sqlite`;
  const query = <T>(sql: string): T[] => {
    if (!existsSync(file)) return [];
    const db = new DatabaseSync(file);
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  return {
    loader: sqliteLoader,
    config: (table, fields) => SqliteLoadConfig.parse({ path: "clinic.sqlite", table, ...fields }),
    ctx: testContext({ outputRoot: dir }),
    rows: (table) =>
      Promise.resolve().then(() =>
        query<{ r: string }>(
          `SELECT concat_ws('|', id, patient, amount) AS r FROM "${table}"
            ORDER BY CAST(id AS INTEGER)`,
        ).map((r) => r.r)
      ),
    staging: () =>
      Promise.resolve(
        query<{ name: string }>(
          `SELECT name FROM sqlite_schema WHERE name LIKE ${STAGING_LIKE} ESCAPE '\\'`,
        ).map((r) => r.name),
      ),
    dropStaging: (name) => Promise.resolve(void query(`DROP TABLE "${name}"`)),
    exec: (sql) => Promise.resolve(void query(sql)),
    close: () => Deno.remove(dir, { recursive: true }),
  };
}

const DIALECTS: [string, () => Promise<Fixture>][] = [
  ["postgres", postgresFixture],
  ["mysql", mysqlFixture],
  ["sqlite", sqliteFixture],
];

/** The steps of one run: each opens the loader anew, as another process would. */
function runOf(
  f: Fixture,
  table: string,
  fields: Record<string, unknown> = {},
  schema = VISITS,
  steps = true,
) {
  const ctx = { ...f.ctx, ids: { tenant: "t", pipeline: "p", run: crypto.randomUUID() } };
  const config = f.config(table, fields);
  return (resume?: SinkState): Promise<Sink> =>
    f.loader.open(ctx, config, { formatConfig: undefined, schema, name: "visits", steps }, resume);
}

async function write(sink: Sink, from: number, to: number, tag = "a", schema = VISITS) {
  for (let b = from; b < to; b++) {
    const rows = batch(b, tag, schema);
    await sink.write({
      rows,
      refs: rows.map((r) => ({ source: "visits.csv", key: String(r.id) })),
      cursor: {},
    });
  }
}

/** One step: open (resumed or not), write batches [from, to), checkpoint, suspend. */
async function step(
  open: (resume?: SinkState) => Promise<Sink>,
  resume: SinkState | undefined,
  from: number,
  to: number,
  tag = "a",
): Promise<SinkState> {
  const sink = await open(resume);
  await write(sink, from, to, tag);
  const state = await sink.checkpoint!();
  await sink.suspend!();
  return state;
}

/** The table written by one sink in one go, as a straight run writes it. */
async function straight(f: Fixture, table: string): Promise<string[]> {
  const sink = await runOf(f, table, {}, VISITS, false)();
  await write(sink, 0, 5);
  assert.equal((await sink.commit()).records, 15);
  return await f.rows(table);
}

for (const [dialect, fixture] of DIALECTS) {
  Deno.test(`${dialect}: written in three steps equals written at once`, async () => {
    const f = await fixture();
    try {
      const whole = await straight(f, "once");
      const open = runOf(f, "steps");
      const first = await step(open, undefined, 0, 1);
      assert.equal(first.records, 3);
      assert.equal(first.batches, 1);
      assert.match(String(first.stage), /_pyxgen_stage_/);
      assert.ok(
        !/password|127\.0\.0\.1|5432|3306/.test(JSON.stringify(first)),
        "no connection data",
      );
      const second = await step(open, first, 1, 3);
      assert.equal(second.records, 9);
      assert.equal(second.batches, 3);
      assert.deepEqual(await f.rows("steps").catch(() => []), [], "nothing published yet");
      const last = await open(second);
      await write(last, 3, 5);
      const result = await last.commit();
      assert.equal(result.records, 15);
      assert.deepEqual(await f.rows("steps"), whole);
      assert.deepEqual(await f.staging(), [], "no staging table left");
    } finally {
      await f.close();
    }
  });

  Deno.test(`${dialect}: a step that crashed after its checkpoint leaves no duplicate rows`, async () => {
    const f = await fixture();
    try {
      const whole = await straight(f, "once");
      const open = runOf(f, "steps", { mode: "append", key: ["id"] });
      const first = await step(open, undefined, 0, 1);
      // Step 2 checkpoints after two batches, writes a third, then dies before its checkpoint.
      const crashing = await open(first);
      await write(crashing, 1, 3);
      const saved = await crashing.checkpoint!();
      await write(crashing, 3, 4, "lost");
      await crashing.suspend!();
      // The retry of step 2 starts from the saved checkpoint and writes batch 4 again.
      const retry = await open(saved);
      await write(retry, 3, 5);
      const result = await retry.commit();
      assert.equal(result.records, 15);
      // The key would refuse a duplicate id; every row is there once, none from the lost write.
      assert.deepEqual(await f.rows("steps"), whole, "every row exactly once");
      assert.deepEqual(await f.staging(), []);
    } finally {
      await f.close();
    }
  });

  Deno.test(`${dialect}: upsert across steps keeps the last row of a key`, async () => {
    const f = await fixture();
    try {
      const open = runOf(f, "visits", { mode: "upsert", key: ["id"] });
      const first = await step(open, undefined, 0, 2, "old");
      // Later steps send the same ids again: the newest step's row wins, whatever the order
      // the rows were staged in within the table.
      const second = await step(open, first, 0, 1, "mid");
      const last = await open(second);
      await write(last, 0, 1, "new");
      await write(last, 1, 2, "mid");
      await last.commit();
      const rows = await f.rows("visits");
      assert.equal(rows.length, 6);
      assert.deepEqual(rows.map((r) => r.split("|")[1]), [
        "P-1-new",
        "P-2-new",
        "P-3-new",
        "P-4-mid",
        "P-5-mid",
        "P-6-mid",
      ]);
    } finally {
      await f.close();
    }
  });

  Deno.test(`${dialect}: resuming when the staging table was dropped says the partial output is gone`, async () => {
    const f = await fixture();
    try {
      const open = runOf(f, "visits");
      const state = await step(open, undefined, 0, 2);
      await f.dropStaging(String(state.stage));
      await assert.rejects(
        () => open(state),
        (err: Error) =>
          err instanceof ConfigError &&
          err.message.startsWith("The partial output of this run is gone") &&
          err.message.includes("start the run again"),
      );
      assert.deepEqual(await f.rows("visits").catch(() => []), []);
    } finally {
      await f.close();
    }
  });

  Deno.test(`${dialect}: abort after a resumed step drops staging and leaves the table as it was`, async () => {
    const f = await fixture();
    try {
      const before = await straight(f, "visits");
      const open = runOf(f, "visits", { mode: "replace" });
      const state = await step(open, undefined, 0, 2, "x");
      const sink = await open(state);
      await write(sink, 2, 3, "x");
      await sink.abort();
      assert.deepEqual(await f.staging(), []);
      assert.deepEqual(await f.rows("visits"), before);
    } finally {
      await f.close();
    }
  });

  Deno.test(`${dialect}: a first step tried again without a checkpoint starts over`, async () => {
    const f = await fixture();
    try {
      const whole = await straight(f, "once");
      const open = runOf(f, "steps");
      const crashed = await open();
      await write(crashed, 0, 2, "lost");
      await crashed.suspend!();
      const state = await step(open, undefined, 0, 3);
      const last = await open(state);
      await write(last, 3, 5);
      await last.commit();
      assert.deepEqual(await f.rows("steps"), whole);
    } finally {
      await f.close();
    }
  });
}

for (const [dialect, fixture] of DIALECTS.slice(1)) {
  Deno.test(`${dialect}: columns told by the first rows carry over to the next steps`, async () => {
    const f = await fixture();
    try {
      const schema: Schema = { columns: [] };
      const open = runOf(f, "visits", {}, schema);
      const empty = await open();
      const none = await empty.checkpoint!();
      await empty.suspend!();
      const sink = await open(none);
      await write(sink, 0, 1, "a", schema);
      const state = await sink.checkpoint!();
      await sink.suspend!();
      assert.deepEqual((state.columns as { name: string }[]).map((c) => c.name), [
        "id",
        "patient",
        "amount",
      ]);
      const last = await open(state);
      await write(last, 1, 2, "a", schema);
      assert.equal((await last.commit()).records, 6);
      assert.equal((await f.rows("visits")).length, 6);
    } finally {
      await f.close();
    }
  });
}

Deno.test("postgres: a staging table emptied by a server restart is not resumed", async () => {
  const f = await postgresFixture();
  try {
    const open = runOf(f, "visits");
    const state = await step(open, undefined, 0, 2);
    // An UNLOGGED table comes back empty after a crash of the server: TRUNCATE does the same.
    await f.exec(`TRUNCATE "${state.stage}"`);
    await assert.rejects(
      () => open(state),
      (err: Error) => err instanceof ConfigError && /gone .*lost its rows/.test(err.message),
    );
  } finally {
    await f.close();
  }
});
