import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { quoteIdent, readOnlyQuery } from "./_pg_sql.ts";
import { isoTimestamp } from "./_pg_types.ts";

Deno.test("quoteIdent keeps case, quotes and schema.table", () => {
  assert.equal(quoteIdent("Clinic.patients"), '"Clinic"."patients"');
  assert.equal(quoteIdent('we"ird'), '"we""ird"');
});

Deno.test("readOnlyQuery accepts one SELECT or WITH and drops a trailing semicolon", () => {
  assert.equal(readOnlyQuery("  select 1 ;  "), "  select 1 ");
  assert.equal(readOnlyQuery("(SELECT 1)"), "(SELECT 1)");
  assert.equal(
    readOnlyQuery("WITH a AS (SELECT ';' AS s) SELECT * FROM a -- done; really\n"),
    "WITH a AS (SELECT ';' AS s) SELECT * FROM a",
  );
  assert.equal(
    readOnlyQuery("/* note; */ SELECT $$a;b$$, E'it\\'s;', \"x;y\" FROM t;"),
    "/* note; */ SELECT $$a;b$$, E'it\\'s;', \"x;y\" FROM t",
  );
  // A query ending in a string literal or a quoted name is kept whole.
  assert.equal(
    readOnlyQuery("SELECT id FROM t WHERE clinic = 'south' -- end"),
    "SELECT id FROM t WHERE clinic = 'south'",
  );
  assert.equal(readOnlyQuery('SELECT 1 AS "X";'), 'SELECT 1 AS "X"');
});

Deno.test("readOnlyQuery refuses other statements and several statements", () => {
  const refuse = (sql: string, pattern: RegExp) =>
    assert.throws(
      () => readOnlyQuery(sql),
      (e) => e instanceof ConfigError && pattern.test(e.message),
    );
  refuse("UPDATE t SET a = 1", /starts with "update"/);
  refuse("-- select\nDROP TABLE t", /starts with "drop"/);
  refuse("SELECT 1; DELETE FROM t", /more than one statement/);
  refuse(" ; ", /empty/);
});

Deno.test("isoTimestamp turns server text into ISO 8601 without moving it", () => {
  assert.equal(isoTimestamp("2024-03-01 00:30:00.123456+00"), "2024-03-01T00:30:00.123456Z");
  assert.equal(isoTimestamp("2024-03-01 00:30:00-07"), "2024-03-01T00:30:00-07:00");
  assert.equal(isoTimestamp("2024-03-01 00:30:00+05:30"), "2024-03-01T00:30:00+05:30");
  assert.equal(isoTimestamp("2024-03-01 00:30:00"), "2024-03-01T00:30:00");
  assert.equal(isoTimestamp("infinity"), "infinity");
});
