import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ipcBatch, ipcEmpty } from "./_arrow_ipc.ts";
import { RowGroupBuffer } from "./_parquet_columns.ts";
import { TRICKY_ROWS, TRICKY_SCHEMA } from "./_fixtures.ts";

/** The tricky rows through a row group, then our IPC writer, then apache-arrow's reader. */
function readBack() {
  const group = new RowGroupBuffer(TRICKY_SCHEMA.columns);
  for (const row of TRICKY_ROWS) group.push(row);
  const { columns, rows } = group.take();
  return arrow.tableFromIPC(ipcBatch(TRICKY_SCHEMA.columns, columns, rows));
}

Deno.test("ipcBatch writes an Arrow stream apache-arrow reads with our types", () => {
  const table = readBack();
  assert.deepEqual(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable]), [
    ["id", "Int64", true],
    ["name", "Utf8", true],
    ["amount", "Utf8", true],
    ["active", "Bool", true],
    ["born", "Date32<DAY>", true],
    ["seen_at", "Timestamp<MICROSECOND, UTC>", true],
    ["extra", "Utf8", true],
  ]);
  assert.equal(table.schema.fields[6].metadata.get("ARROW:extension:name"), "arrow.json");
  assert.equal(table.schema.fields[0].metadata.size, 0);
});

Deno.test("ipcBatch keeps every value and every null of the row group", () => {
  const table = readBack();
  assert.equal(table.numRows, TRICKY_ROWS.length);
  const missing = (v: unknown) => v === null || v === undefined;
  for (const [c, column] of TRICKY_SCHEMA.columns.entries()) {
    const vector = table.getChildAt(c)!;
    TRICKY_ROWS.forEach((row, r) => {
      const got = vector.get(r);
      const want = row[column.name];
      const at = `${column.name}[${r}]`;
      if (missing(want)) return assert.equal(got, null, at);
      switch (column.type) {
        case "integer":
          return assert.equal(got, BigInt(want as number), at);
        case "boolean":
          return assert.equal(got, want, at);
        case "date":
          return assert.equal(new Date(got as number).toISOString().slice(0, 10), want, at);
        case "datetime":
          return assert.equal(typeof got, "number", at);
        case "json":
          return assert.deepEqual(JSON.parse(got as string), want, at);
        default:
          return assert.equal(got, want, at);
      }
    });
  }
});

Deno.test("ipcEmpty writes the schema and no rows", () => {
  const table = arrow.tableFromIPC(ipcEmpty(TRICKY_SCHEMA.columns));
  assert.equal(table.numRows, 0);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    TRICKY_SCHEMA.columns.map((c) => c.name),
  );
});
