import assert from "node:assert/strict";
import { testContext } from "../testing.ts";
import { DbConnection } from "./options.ts";
import { openPostgres } from "./postgres_client.ts";
import { copyField, copyRows, pgText } from "./_pg_copy.ts";
import { LOCAL_PG } from "./_pg_testing.ts";

Deno.test("copyField escapes what COPY text format needs", () => {
  assert.equal(copyField(null), "\\N");
  assert.equal(copyField("a\tb\nc\\d\re"), "a\\tb\\nc\\\\d\\re");
  assert.equal(copyField("\\N"), "\\\\N");
  assert.equal(pgText({ a: 1 }, false), '{"a":1}');
  assert.equal(pgText("x", true), '"x"');
  assert.equal(pgText(false, false), "false");
  assert.equal(pgText(new Uint8Array([0, 255]), false), "\\x00ff");
});

Deno.test("copyRows reports a COPY the server rejects instead of hanging", async () => {
  const ctx = testContext({ allowPrivateNetwork: true });
  const session = await openPostgres(ctx, DbConnection.parse({ ...LOCAL_PG, database: "test" }));
  try {
    await session.sql.unsafe("CREATE TEMP TABLE numbers (n integer)");
    const refs = [{ source: "t", index: 0 }, { source: "t", index: 1 }];
    await assert.rejects(
      copyRows(session.sql, "numbers", ["n"], [false], [{ n: 1 }, { n: "one" }], refs),
      (err: Error & { code?: string }) => err.code === "22P02" && /"one"/.test(err.message),
    );
    // The connection is still usable and the failed COPY left nothing.
    await copyRows(session.sql, "numbers", ["n"], [false], [{ n: 7 }, { n: null }], refs);
    const rows = await session.sql`SELECT n FROM numbers ORDER BY n`;
    assert.deepEqual(rows.map((r) => r.n), [7, null]);
  } finally {
    await session.close();
  }
});
