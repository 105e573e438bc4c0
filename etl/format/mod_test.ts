import assert from "node:assert/strict";
import { assertEntryContract } from "../testing.ts";
import { FORMATS, formats } from "./mod.ts";

Deno.test("formats registry lists every output format under its stored type id", () => {
  assert.deepEqual(formats.types(), ["csv", "sql", "json", "ndjson", "parquet"]);
  for (const format of FORMATS) {
    assertEntryContract(format);
    assert.equal(formats.get(format.type), format);
    assert.ok(format.extension.length > 0 && format.contentType.length > 0);
    assert.deepEqual(format.secrets, []);
  }
});

Deno.test("formats accept an empty config and fill in safe defaults", () => {
  for (const format of FORMATS) {
    const parsed = format.config.safeParse({});
    assert.ok(parsed.success, `${format.type}: ${JSON.stringify(parsed.error)}`);
  }
  assert.deepEqual(formats.get("sql")!.config.parse({}), {
    dialect: "postgres",
    rowsPerStatement: 500,
    createTable: true,
  });
});
