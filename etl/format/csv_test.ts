import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { assertEntryContract } from "../testing.ts";
import { csvFormat } from "./csv.ts";
import { encodeAll, text, TRICKY_ROWS, TRICKY_SCHEMA } from "./_fixtures.ts";

const NAMES = TRICKY_SCHEMA.columns.map((c) => c.name);

function expectedCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

Deno.test("csvFormat keeps the entry contract", () => {
  assertEntryContract(csvFormat);
});

Deno.test("csvFormat round-trips quotes, commas, line breaks and unicode through RFC 4180", async () => {
  const out = text(await encodeAll(csvFormat, TRICKY_ROWS));
  assert.ok(out.endsWith("\r\n"), "records end in CRLF by default");
  const records: string[][] = parse(out, { relax_quotes: false });
  assert.deepEqual(records[0], NAMES);
  assert.equal(records.length, TRICKY_ROWS.length + 1);
  TRICKY_ROWS.forEach((row, i) => {
    assert.deepEqual(records[i + 1], NAMES.map((n) => expectedCell(row[n])), `row ${i + 1}`);
  });
});

Deno.test("csvFormat writes another delimiter and LF line endings", async () => {
  const out = text(
    await encodeAll(csvFormat, TRICKY_ROWS, { config: { delimiter: ";", lineEnding: "lf" } }),
  );
  assert.ok(!out.replace(/"[^"]*"/g, "").includes("\r"), "no CR outside quoted fields");
  const records: string[][] = parse(out, { delimiter: ";" });
  assert.deepEqual(records[1], NAMES.map((n) => expectedCell(TRICKY_ROWS[0][n])));
  assert.equal(records[3][1], "line1\nline2\r\nline3\ttab, comma");
});

Deno.test("csvFormat neutralises formula cells but leaves plain numbers alone", async () => {
  const cells = [
    ["=SUM(A1:A9)", "'=SUM(A1:A9)"],
    ["+1", "+1"],
    ["-5", "-5"],
    ["-3.25", "-3.25"],
    ["+.5", "+.5"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ['@HYPERLINK("http://x")', '\'@HYPERLINK("http://x")'],
    ["\tTAB", "'\tTAB"],
    ["\rCR", "'\rCR"],
    ["-", "'-"],
    ["a=b", "a=b"],
  ];
  const schema = { columns: [{ name: "note", type: "string" as const }] };
  const rows = cells.map(([note]) => ({ note }));
  const records: string[][] = parse(text(await encodeAll(csvFormat, rows, { schema })));
  assert.deepEqual(records.slice(1).map((r) => r[0]), cells.map(([, want]) => want));

  const raw: string[][] = parse(
    text(await encodeAll(csvFormat, rows, { schema, config: { escapeFormulas: false } })),
  );
  assert.deepEqual(raw.slice(1).map((r) => r[0]), cells.map(([note]) => note));
});

Deno.test("csvFormat writes numbers, not neutralised text, for negative integer values", async () => {
  const schema = { columns: [{ name: "n", type: "integer" as const }] };
  const out = text(await encodeAll(csvFormat, [{ n: -5 }, { n: "-7" }], { schema }));
  assert.equal(out, "n\r\n-5\r\n-7\r\n");
});

Deno.test("csvFormat writes just the header when there are no rows", async () => {
  assert.equal(text(await encodeAll(csvFormat, [])), NAMES.join(",") + "\r\n");
  const none = await encodeAll(csvFormat, [], { config: { header: false } });
  assert.equal(none.length, 0);
});

Deno.test("csvFormat refuses a quote or a line break as delimiter", () => {
  assert.equal(csvFormat.config.safeParse({ delimiter: '"' }).success, false);
  assert.equal(csvFormat.config.safeParse({ delimiter: "\n" }).success, false);
  assert.equal(csvFormat.config.parse({}).delimiter, ",");
});
