import assert from "node:assert/strict";
import { assertEntryContract, testContext } from "../testing.ts";
import type { Batch, Cursor } from "../types.ts";
import { CsvConfig, csvExtractor } from "./csv.ts";

async function withFile(bytes: Uint8Array | string, fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  await Deno.writeFile(`${dir}/in.csv`, data);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readAll(dir: string, config: Record<string, unknown> = {}, from?: Cursor, size = 2) {
  const ctx = testContext({ inputRoot: dir });
  const batches: Batch[] = [];
  const parsed = CsvConfig.parse({ path: "in.csv", ...config });
  for await (const b of csvExtractor.run(ctx, parsed, { batchSize: size, from })) batches.push(b);
  return {
    rows: batches.flatMap((b) => b.rows),
    refs: batches.flatMap((b) => b.refs),
    rejected: batches.flatMap((b) => b.rejected ?? []),
    batches,
  };
}

Deno.test("csvExtractor keeps the registry contract", () => assertEntryContract(csvExtractor));

Deno.test("csvExtractor reads quoted fields with delimiters, quotes and line breaks", async () => {
  await withFile(
    'id,name,note\r\n1,"O\'Brien, Pat","said ""hi""\r\nthen left"\r\n2,Ann,\r\n',
    async (dir) => {
      const { rows, refs } = await readAll(dir);
      assert.deepEqual(rows, [
        { id: "1", name: "O'Brien, Pat", note: 'said "hi"\r\nthen left' },
        { id: "2", name: "Ann", note: "" },
      ]);
      assert.deepEqual(refs.map((r) => r.line), [2, 4]);
    },
  );
});

Deno.test("csvExtractor detects semicolon, tab and pipe delimiters", async () => {
  for (const d of [";", "\t", "|"]) {
    await withFile(`a${d}b\n1${d}x,y\n`, async (dir) => {
      const { rows } = await readAll(dir);
      assert.deepEqual(rows, [{ a: "1", b: "x,y" }], `delimiter ${JSON.stringify(d)}`);
    });
  }
});

Deno.test("csvExtractor skips a UTF-8 BOM and blank lines", async () => {
  const text = new TextEncoder().encode("name,city\n\nZoë,Montréal\n\n\nJosé 💉,Köln\n");
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...text]);
  await withFile(bytes, async (dir) => {
    const { rows, refs } = await readAll(dir);
    assert.deepEqual(rows, [{ name: "Zoë", city: "Montréal" }, { name: "José 💉", city: "Köln" }]);
    assert.deepEqual(refs.map((r) => r.line), [3, 6]);
  });
});

Deno.test("csvExtractor reads Windows-1252 files", async () => {
  // "Zoë;Müller" in Windows-1252: ë = 0xEB, ü = 0xFC
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("first;last\n"),
    0x5a,
    0x6f,
    0xeb,
    0x3b,
    0x4d,
    0xfc,
    0x6c,
    0x6c,
    0x65,
    0x72,
    0x0a,
  ]);
  await withFile(bytes, async (dir) => {
    const { rows } = await readAll(dir);
    assert.deepEqual(rows, [{ first: "Zoë", last: "Müller" }]);
  });
});

Deno.test("csvExtractor rejects ragged rows with line and reason and goes on", async () => {
  await withFile("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n", async (dir) => {
    const { rows, rejected } = await readAll(dir);
    assert.deepEqual(rows.map((r) => r.a), ["1", "10"]);
    assert.deepEqual(rejected.map((r) => [r.ref.line, r.reason]), [
      [3, "line 3 has 2 fields, header has 3"],
      [4, "line 4 has 4 fields, header has 3"],
    ]);
  });
});

Deno.test("csvExtractor rejects an unclosed quote at the end of the file", async () => {
  await withFile('a,b\n1,2\n3,"open\n', async (dir) => {
    const { rows, rejected } = await readAll(dir);
    assert.equal(rows.length, 1);
    assert.match(rejected[0].reason, /line 3: quoted field 2 opened on line 3 is never closed/);
  });
});

Deno.test("csvExtractor resumes from any batch cursor without reading a row twice", async () => {
  const lines = ["id,text"];
  for (let i = 0; i < 50; i++) lines.push(i % 7 === 0 ? `${i},"multi\nline ${i}"` : `${i},é${i}`);
  await withFile(lines.join("\n") + "\n", async (dir) => {
    const all = await readAll(dir, {}, undefined, 3);
    assert.equal(all.rows.length, 50);
    for (const [i, batch] of all.batches.entries()) {
      const rest = await readAll(dir, {}, batch.cursor, 3);
      const seen = all.batches.slice(0, i + 1).flatMap((b) => b.rows);
      assert.deepEqual([...seen, ...rest.rows], all.rows, `resume after batch ${i}`);
    }
  });
});

Deno.test("csvExtractor says which file is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => readAll(dir), { message: 'Cannot read "in.csv": no such file' });
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("csvExtractor refuses paths outside its input folder", async () => {
  await withFile("a\n1\n", async (dir) => {
    await assert.rejects(() => readAll(dir, { path: "../etc/passwd" }), /outside its root/);
  });
});

Deno.test("csvExtractor resumes exactly across 1 MiB pieces", async () => {
  const lines = ["id,note"];
  // ~3 MiB with multi-byte text and quoted line breaks straddling piece boundaries.
  for (let i = 0; i < 40_000; i++) {
    lines.push(i % 11 === 0 ? `${i},"é ${i}\nnext"` : `${i},ünïcode ${"x".repeat(i % 90)}`);
  }
  await withFile(lines.join("\n") + "\n", async (dir) => {
    const all = await readAll(dir, {}, undefined, 4_999);
    assert.equal(all.rows.length, 40_000);
    assert.deepEqual(
      all.rows.map((r) => Number(r.id)),
      Array.from({ length: 40_000 }, (_, i) => i),
    );
    for (const i of [0, 3, 5, 7]) {
      const rest = await readAll(dir, {}, all.batches[i].cursor, 4_999);
      assert.equal(rest.rows[0].id, String((i + 1) * 4_999), `first row after batch ${i}`);
      assert.equal(rest.rows.length, 40_000 - (i + 1) * 4_999);
      assert.deepEqual(rest.refs[0].line, all.refs[(i + 1) * 4_999].line);
    }
  });
});

Deno.test("csvExtractor's cursor is the exact byte where the next record starts", async (t) => {
  const rows = ["1,é", '2,"two\r\nlines 😀"', "3,ascii", "4,😀😀", "5,last"];
  for (
    const [label, text, encoding] of [
      ["UTF-8 with BOM and CRLF", "\uFEFFid,v\r\n" + rows.join("\r\n") + "\r\n", "utf-8"],
      [
        "Windows-1252",
        "id,v\n" + rows.slice(0, 1).concat(["2,caf\u00e9", "3,x"]).join("\n") + "\n",
        "windows-1252",
      ],
    ] as const
  ) {
    await t.step(label, async () => {
      const bytes = encoding === "utf-8"
        ? new TextEncoder().encode(text)
        : Uint8Array.from(text, (c) => c.charCodeAt(0)); // Latin-1 letters are one byte each
      await withFile(bytes, async (dir) => {
        const all = await readAll(dir, {}, undefined, 1);
        for (const [i, batch] of all.batches.slice(0, -1).entries()) {
          const offset = Number(batch.cursor.offset);
          const next = new TextDecoder(encoding).decode(bytes.subarray(offset));
          assert.ok(next.startsWith(`${i + 2},`), `after record ${i + 1}: ${JSON.stringify(next)}`);
          assert.equal(batch.cursor.skip, 0);
          assert.equal(batch.cursor.line, all.refs[i + 1].line);
        }
      });
    });
  }
});
