import assert from "node:assert/strict";
import type { CsvBlock } from "../columnar.ts";
import { CsvBlockScanner } from "../extract/csv_block.ts";
import { CsvParser } from "../extract/csv_parser.ts";
import { RowGroupBuffer } from "../format/_parquet_columns.ts";
import { testContext } from "../testing.ts";
import type { Batch, ColumnType, Row } from "../types.ts";
import { NormalizeConfig, normalizeTransformer } from "./normalize.ts";

const COLUMNS = ["Name", "Age", "Score", "Active", "Born", "Seen", "Extra", "Zip Code"];
const TYPES: Record<string, ColumnType> = {
  age: "integer",
  score: "decimal",
  active: "boolean",
  born: "date",
  seen: "datetime",
  extra: "json",
};

/** Values each column draws from: plain ones and every edge the byte path must hand over. */
const POOL: string[][] = [
  [
    "Ann",
    " Bob ",
    "Zoë",
    "\u00a0Zoë\u00a0",
    "José 💉",
    "\u3000x",
    "NULL",
    "n/a",
    "",
    "  ",
    "Ｎ/Ａ",
    "K",
    "un\u212Anown",
    "UNKNOWN",
    "ñ/a",
    "Ñ/A",
  ],
  [
    "42",
    "+7",
    "-0",
    "007",
    " 12 ",
    "123456789012345",
    "1234567890123456",
    "9007199254740993",
    "x",
    "1.5",
    "null",
  ],
  ["1.5", "+2.25", ".5", "5.", "-0.1", "1e5", ".", "abc", "N/A", " 3 "],
  ["true", "Yes", "T", "0", "n", "FALSE", "maybe", "", "Y "],
  [
    "2024-02-29",
    "2023-02-29",
    "03/04/2020",
    "13/01/2020",
    "2024-1-5",
    "2024-12-31",
    "",
    "１９９０-01-01",
  ],
  ["2024-01-02T03:04:05Z", "2024-01-02 03:04", "2024-13-01T00:00:00Z", ""],
  ['{"a":1}', "[1,2]", "nope", "null", ""],
  ["02451", " 0012 ", "", "NULL"],
];

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function prepared(extra: Record<string, unknown> = {}) {
  const config = NormalizeConfig.parse({ types: TYPES, ...extra });
  return normalizeTransformer.prepare(
    config,
    { columns: COLUMNS.map((name) => ({ name, type: "string" })) },
    [],
  );
}

/** The records of a CSV body (no header) as the block reader hands them to normalize. */
function blockOf(body: string): CsvBlock {
  const bytes = new TextEncoder().encode(body);
  const scanner = new CsvBlockScanner(",", COLUMNS.length, 4);
  scanner.scan(bytes, 0, bytes.length, true, 2);
  return {
    kind: "csv",
    source: "in.csv",
    columns: COLUMNS,
    bytes,
    rows: scanner.rows,
    starts: scanner.starts,
    ends: scanner.ends,
    lines: scanner.lines,
  };
}

/** Both paths on the same CSV body: their columns and rejections must be the same. */
function compare(body: string, extra: Record<string, unknown> = {}) {
  const { config, schema } = prepared(extra);
  // The row path: parser, row objects, normalize, the Parquet row group.
  const records = new CsvParser(",", 2).push(body, true);
  const batch: Batch = {
    rows: records.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r.fields[i]])) as Row),
    refs: records.map((r) => ({ source: "in.csv", line: r.line })),
    cursor: {},
  };
  const rowCtx = testContext();
  const rowsSeen = rowCtx.rejections;
  const out = normalizeTransformer.run(rowCtx, config, batch);
  const rowGroup = new RowGroupBuffer(schema.columns);
  for (const row of out.rows) rowGroup.push(row);
  // The byte path: scanner, block, normalize, the same row group.
  const block = blockOf(body);
  const colCtx = testContext();
  const colsSeen = colCtx.rejections;
  const columnar = normalizeTransformer.run(colCtx, config, {
    rows: [],
    refs: [],
    cursor: {},
    columnar: block,
  });
  const colGroup = new RowGroupBuffer(schema.columns);
  assert.equal(columnar.columnar?.kind, "columns");
  if (columnar.columnar?.kind === "columns") {
    colGroup.append(columnar.columnar, 0, columnar.columnar.rows);
  }
  assert.deepEqual(colsSeen, rowsSeen, "rejections");
  assert.deepEqual(colGroup.take(), rowGroup.take(), "columns");
  return { rows: out.rows.length, rejected: rowsSeen.length };
}

Deno.test("normalize on CSV bytes gives the columns and rejections the row path gives", () => {
  const lines = POOL[0].map((_, i) =>
    COLUMNS.map((_, c) => csvField(POOL[c][i % POOL[c].length])).join(",")
  );
  const { rows, rejected } = compare(lines.join("\n") + "\n");
  // Both kinds happen: rows written and rows rejected for a value that does not fit.
  assert.ok(rows > 0 && rejected > 0, `${rows} rows, ${rejected} rejected`);
});

Deno.test("normalize on CSV bytes matches the row path on random rows, with every option", () => {
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const options = [
    {},
    { trim: false },
    { nullTokens: ["-", "NA", "ｎｕｌｌ"] },
    { nullTokens: ["unknown", "n/a"] },
    {
      nullTokens: ["ñ/a"],
    },
    { nullTokens: [] },
    {
      dateOrder: "dmy",
    },
    { fieldNames: "keep" },
  ];
  let rows = 0, rejected = 0;
  for (const extra of options) {
    for (let n = 0; n < 40; n++) {
      const lines = Array.from(
        { length: 25 },
        () =>
          COLUMNS.map((_, c) => csvField(POOL[c][Math.floor(random() * POOL[c].length)])).join(","),
      );
      const seen = compare(lines.join("\r\n"), extra);
      rows += seen.rows;
      rejected += seen.rejected;
    }
  }
  assert.ok(rows > 100 && rejected > 100, `${rows} rows, ${rejected} rejected`);
});

Deno.test("normalize on CSV bytes reuses its buffers: a second block does not see the first", () => {
  const { config } = prepared();
  const make = (body: string): Batch => ({
    rows: [],
    refs: [],
    cursor: {},
    columnar: blockOf(body),
  });
  const ctx = testContext({});
  const first = normalizeTransformer.run(
    ctx,
    config,
    make("Ann,1,1,true,2024-01-01,,,1\nBob,2,2,no,,,,2\n"),
  );
  assert.equal(first.columnar?.rows, 2);
  const second = normalizeTransformer.run(ctx, config, make("Cy,3,3,yes,,,,3\n"));
  const names = second.columnar?.kind === "columns" ? second.columnar.columns[0] : undefined;
  assert.equal(second.columnar?.rows, 1);
  assert.equal(new TextDecoder().decode(names?.bytes), "Cy");
  assert.deepEqual([...names!.offsets!], [0, 2]);
});
