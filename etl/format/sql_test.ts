import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { assertEntryContract } from "../testing.ts";
import type { Row } from "../types.ts";
import { sqlFormat } from "./sql.ts";
import { encodeAll, SEEN_AT_UTC, text, TRICKY_ROWS } from "./_fixtures.ts";

/** A table name that needs quoting in every dialect, unique per test run. */
function tableName(quote: string): string {
  return `fmt sql ${quote}x${quote} ${crypto.randomUUID().slice(0, 8)}`;
}

/** Rows as every database must give them back, after the mapping of each test's SELECT. */
function expected(options: { nul: boolean; bool: (b: boolean) => unknown }): Row[] {
  const dropNul = (v: unknown) =>
    options.nul ? v : JSON.parse(JSON.stringify(v ?? null).replaceAll("\\u0000", ""));
  return TRICKY_ROWS.map((row, i) => ({
    id: row.id,
    name: typeof row.name === "string" && !options.nul ? row.name.replaceAll("\0", "") : row.name,
    amount: row.amount,
    active: row.active === null ? null : options.bool(row.active as boolean),
    born: row.born,
    seen_at: SEEN_AT_UTC[i],
    extra: dropNul(row.extra),
  }));
}

/** MySQL pads DECIMAL(65,30) with zeros: compare the numbers, not the padding. */
function trimDecimal(v: unknown): unknown {
  return typeof v === "string" && v.includes(".") ? v.replace(/\.?0+$/, "") : v;
}

Deno.test("sqlFormat keeps the entry contract", () => {
  assertEntryContract(sqlFormat);
});

Deno.test("sqlFormat script loads into PostgreSQL with every value exact", async () => {
  const table = tableName('"');
  const quoted = `"${table.replaceAll('"', '""')}"`;
  const script = text(await encodeAll(sqlFormat, TRICKY_ROWS, { table }));
  // A far-off session zone: date-times must not move with it.
  const sql = postgres({
    host: "127.0.0.1",
    port: 5432,
    user: "postgres",
    database: "test",
    max: 1,
    onnotice: () => {},
    connection: { TimeZone: "Pacific/Chatham" },
  });
  try {
    await sql.unsafe(script).simple();
    const rows = await sql.unsafe(
      `SELECT id::int AS id, name, amount::text AS amount, active, born::text AS born,
        to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS seen_at, extra
       FROM ${quoted} ORDER BY id`,
    );
    assert.deepEqual(rows.map((r) => ({ ...r })), expected({ nul: false, bool: (b) => b }));
  } finally {
    await sql.unsafe(`DROP TABLE IF EXISTS ${quoted}`);
    await sql.end();
  }
});

Deno.test("sqlFormat script loads into MariaDB even with NO_BACKSLASH_ESCAPES on", async () => {
  const table = tableName("`");
  const quoted = `\`${table.replaceAll("`", "``")}\``;
  const script = text(
    await encodeAll(sqlFormat, TRICKY_ROWS, { table, config: { dialect: "mysql" } }),
  );
  const conn = await mysql.createConnection({
    host: "127.0.0.1",
    port: 3306,
    user: "root",
    password: "",
    database: "test",
    multipleStatements: true,
    dateStrings: true,
  });
  try {
    await conn.query(
      "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES'), time_zone = '+09:00'",
    );
    await conn.query(script);
    const [[mode]] = await conn.query("SELECT @@SESSION.sql_mode AS m") as unknown as [
      { m: string }[],
    ];
    assert.match(mode.m, /NO_BACKSLASH_ESCAPES/, "the script restores the session's sql_mode");
    const [rows] = await conn.query(
      `SELECT id, name, CAST(amount AS CHAR) AS amount, active, DATE_FORMAT(born, '%Y-%m-%d') AS born,
        DATE_FORMAT(seen_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS seen_at, extra
       FROM ${quoted} ORDER BY id`,
    ) as unknown as [Row[]];
    const got = rows.map((r) => ({
      ...r,
      amount: trimDecimal(r.amount),
      extra: typeof r.extra === "string" ? JSON.parse(r.extra) : r.extra,
    }));
    const want = expected({ nul: true, bool: (b) => b ? 1 : 0 })
      .map((r) => ({ ...r, amount: trimDecimal(r.amount) }));
    assert.deepEqual(got, want);
    const [[charset]] = await conn.query(
      "SELECT CCSA.character_set_name AS cs FROM information_schema.TABLES T " +
        "JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY CCSA " +
        "ON CCSA.collation_name = T.table_collation WHERE T.table_schema = 'test' AND T.table_name = ?",
      [table],
    ) as unknown as [{ cs: string }[]];
    assert.equal(charset.cs, "utf8mb4");
  } finally {
    await conn.query(`DROP TABLE IF EXISTS ${quoted}`);
    await conn.end();
  }
});

Deno.test("sqlFormat script loads into SQLite with every value exact", async () => {
  const table = tableName('"');
  const script = text(
    await encodeAll(sqlFormat, TRICKY_ROWS, { table, config: { dialect: "sqlite" } }),
  );
  const db = new DatabaseSync(":memory:");
  try {
    db.exec(script);
    // Read text as bytes: SQLite stores NUL inside text, but node:sqlite stops at it.
    const rows = db.prepare(
      `SELECT id, CAST(name AS BLOB) AS name, amount, active, born, seen_at, extra
       FROM "${table.replaceAll('"', '""')}" ORDER BY id`,
    ).all();
    const got = rows.map((r) => ({
      ...r,
      name: r.name === null ? null : new TextDecoder().decode(r.name as Uint8Array),
      extra: typeof r.extra === "string" ? JSON.parse(r.extra) : r.extra,
    }));
    assert.deepEqual(got, expected({ nul: true, bool: (b) => b ? 1 : 0 }));
  } finally {
    db.close();
  }
});

Deno.test("sqlFormat accepts rows straight from a CSV source (all text)", async () => {
  const rows = [{
    id: "42",
    name: "x",
    amount: "1.50",
    active: "yes",
    born: "2001-02-03",
    seen_at: "2024-01-01 10:00:00+0100",
    extra: '{"a": 1}',
  }];
  const script = text(await encodeAll(sqlFormat, rows, { config: { dialect: "sqlite" } }));
  const db = new DatabaseSync(":memory:");
  try {
    db.exec(script);
    assert.deepEqual({ ...db.prepare('SELECT * FROM "t"').get() }, {
      id: 42,
      name: "x",
      amount: "1.50",
      active: 1,
      born: "2001-02-03",
      seen_at: "2024-01-01T09:00:00.000000Z",
      extra: '{"a": 1}',
    });
  } finally {
    db.close();
  }
});

Deno.test("sqlFormat writes statements that can be run one by one", async () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ ...TRICKY_ROWS[i % 7], id: i + 1 }));
  const script = text(
    await encodeAll(sqlFormat, rows, {
      config: { dialect: "sqlite", rowsPerStatement: 5 },
      batch: 7,
    }),
  );
  // No literal holds a raw line break, so ";\n" only ever ends a statement.
  const statements = script.split(";\n").filter((s) => s.trim() !== "");
  assert.equal(statements.filter((s) => s.startsWith("INSERT")).length, 3, "5+2, then 5 rows");
  const db = new DatabaseSync(":memory:");
  try {
    for (const s of statements) db.exec(s);
    const { n } = db.prepare('SELECT count(*) AS n FROM "t"').get() as { n: number };
    assert.equal(n, 12);
  } finally {
    db.close();
  }
});

Deno.test("sqlFormat creates the table even when there are no rows", async () => {
  const script = text(await encodeAll(sqlFormat, [], { config: { dialect: "sqlite" } }));
  const db = new DatabaseSync(":memory:");
  try {
    db.exec(script);
    const cols = db.prepare('PRAGMA table_info("t")').all().map((c) => `${c.name} ${c.type}`);
    assert.deepEqual(cols, [
      "id INTEGER",
      "name TEXT",
      "amount TEXT",
      "active INTEGER",
      "born TEXT",
      "seen_at TEXT",
      "extra TEXT",
    ]);
  } finally {
    db.close();
  }
});

Deno.test("sqlFormat leaves out CREATE TABLE when asked", async () => {
  const script = text(
    await encodeAll(sqlFormat, TRICKY_ROWS.slice(0, 1), { config: { createTable: false } }),
  );
  assert.ok(script.startsWith('INSERT INTO "t"'));
});
