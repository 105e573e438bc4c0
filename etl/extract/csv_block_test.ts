import assert from "node:assert/strict";
import { basename } from "node:path";
import { testContext } from "../testing.ts";
import type { CsvBlock } from "../columnar.ts";
import { CsvConfig, csvExtractor, readCsvLayout } from "./csv.ts";
import { CsvBlockScanner } from "./csv_block.ts";
import { readCsvBlocks } from "./_csv_blocks.ts";

const utf8 = new TextDecoder();

/** What a read gave, in a form both reads can be compared in. */
interface Seen {
  rows: { line: number; fields: string[] }[];
  rejected: { line: number; reason: string }[];
  /** The cursor after the last batch. */
  cursor: unknown;
}

async function rowRead(path: string, batchSize: number): Promise<Seen> {
  const ctx = testContext({ inputRoot: path.slice(0, -basename(path).length) });
  const seen: Seen = { rows: [], rejected: [], cursor: undefined };
  const config = CsvConfig.parse({ path: basename(path) });
  for await (const b of csvExtractor.run(ctx, config, { batchSize })) {
    b.rows.forEach((row, i) =>
      seen.rows.push({ line: Number(b.refs[i].line), fields: Object.values(row) as string[] })
    );
    for (const r of b.rejected ?? []) {
      seen.rejected.push({ line: Number(r.ref.line), reason: r.reason });
    }
    seen.cursor = b.cursor;
  }
  return seen;
}

function fieldsOf(block: CsvBlock): { line: number; fields: string[] }[] {
  const w = block.columns.length;
  return Array.from({ length: block.rows }, (_, r) => ({
    line: block.lines[r],
    fields: Array.from(
      { length: w },
      (_, f) => utf8.decode(block.bytes.subarray(block.starts[r * w + f], block.ends[r * w + f])),
    ),
  }));
}

async function blockRead(path: string, batchSize: number, chunkBytes: number): Promise<Seen> {
  const ctx = testContext({});
  const config = CsvConfig.parse({ path: basename(path) });
  const layout = await readCsvLayout(path, basename(path), config);
  const seen: Seen = { rows: [], rejected: [], cursor: undefined };
  for await (
    const b of readCsvBlocks(ctx, {
      fullPath: path,
      label: basename(path),
      columns: layout.columns,
      delimiter: layout.delimiter,
      offset: layout.dataOffset,
      line: layout.dataLine,
      batchSize,
      chunkBytes,
    })
  ) {
    seen.rows.push(...fieldsOf(b.columnar as CsvBlock));
    for (const r of b.rejected ?? []) {
      seen.rejected.push({ line: Number(r.ref.line), reason: r.reason });
    }
    seen.cursor = b.cursor;
  }
  return seen;
}

async function compare(text: string | Uint8Array, label: string): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/in.csv`;
  try {
    await Deno.writeFile(path, typeof text === "string" ? new TextEncoder().encode(text) : text);
    const expected = await rowRead(path, 3);
    for (const chunk of [5, 16, 64, 1 << 16]) {
      const got = await blockRead(path, 3, chunk);
      assert.deepEqual(got.rows, expected.rows, `${label}: rows, reads of ${chunk} bytes`);
      assert.deepEqual(got.rejected, expected.rejected, `${label}: rejected, reads of ${chunk}`);
      if (expected.cursor !== undefined) {
        // The block reader's last cursor may also step over blank lines after the last record.
        const want = expected.cursor as { offset: number; line: number };
        const have = got.cursor as { offset: number; line: number; skip: number };
        const bytes = await Deno.readFile(path);
        const between = bytes.subarray(want.offset, have.offset);
        assert.ok(
          between.every((c) => c === 10 || c === 13),
          `${label}: cursor, reads of ${chunk}`,
        );
        const lines = between.filter((c) => c === 10).length +
          (have.offset === bytes.length && between.at(-1) === 13 ? 1 : 0);
        assert.deepEqual(have, { ...want, offset: have.offset, line: want.line + lines });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the block reader reads what the row reader reads: quotes, line breaks, CRLF, BOM", async () => {
  const cases: [string, string | Uint8Array][] = [
    ["quoted", 'id,name,note\r\n1,"O\'Brien, Pat","said ""hi""\r\nthen left"\r\n2,Ann,\r\n'],
    ["blank lines", "name,city\n\nZoë,Montréal\n\r\n\nJosé 💉,Köln\n"],
    ["no final newline", "a,b\n1,2\n3,4"],
    ["final CR", "a,b\n1,2\r"],
    ["ragged", "a,b,c\n1,2\n1,2,3\n1,2,3,4,5\n,,\n"],
    ["text after quote", 'a,b\n"x"y,2\n3,4\n'],
    ["never closed", 'a,b\n1,2\n"open,3\nmore\n'],
    ["quote inside", 'a,b\nx"y,2\n"",""""\n'],
    ["trailing delimiter", "a,b\n1,\n,\n"],
    ["only CR line", "a\n\r\nx\n\r"],
    ["semicolons", 'a;b\n1;"x;y"\n'],
    ["bom", new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("a,b\n1,é\n")])],
  ];
  for (const [label, text] of cases) await compare(text, label);
});

Deno.test("the block reader reads random CSV as the row reader does (fuzz, 300 files)", async () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = ["a", "b", "é", "💉", ",", ",", '"', '"', "\n", "\n", "\r", " ", "1"];
  for (let n = 0; n < 300; n++) {
    const width = 1 + Math.floor(random() * 4);
    const header = Array.from({ length: width }, (_, i) => `c${i}`).join(",");
    let body = "";
    const length = Math.floor(random() * 120);
    for (let i = 0; i < length; i++) body += alphabet[Math.floor(random() * alphabet.length)];
    await compare(`${header}\n${body}`, `fuzz ${n}: ${JSON.stringify(body)}`);
  }
});

Deno.test("the block reader says which bytes are not UTF-8, as the row reader does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = new TextEncoder().encode("a,b\n" + "x,y\n".repeat(10));
    await Deno.writeFile(`${dir}/in.csv`, new Uint8Array([...good, 0x41, 0xff, 0x0a]));
    await assert.rejects(
      () => blockRead(`${dir}/in.csv`, 100, 1 << 16),
      /Cannot read "in.csv": bytes after offset \d+ are not valid utf-8; set "encoding" to "windows-1252"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CsvBlockScanner stops at its limit and leaves a cut-off record for the next read", () => {
  const bytes = new TextEncoder().encode('a,1\nb,2\nc,"3\n');
  const scanner = new CsvBlockScanner(",", 2, 1);
  const end = scanner.scan(bytes, 0, bytes.length, false, 2, 1);
  assert.equal(end, 4);
  assert.equal(scanner.rows, 1);
  const rest = scanner.scan(bytes, end, bytes.length, false, scanner.line, 10);
  // "c" is cut off inside its quoted field: not taken until more bytes (or the end) come.
  assert.equal(rest, 8);
  assert.equal(scanner.rows, 1);
  assert.equal(scanner.line, 4);
});
