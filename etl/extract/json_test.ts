import assert from "node:assert/strict";
import { assertEntryContract, testContext } from "../testing.ts";
import type { Batch, Cursor } from "../types.ts";
import { JsonConfig, jsonExtractor } from "./json.ts";

async function withFile(
  name: string,
  content: Uint8Array | string,
  fn: (dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const data = typeof content === "string" ? new TextEncoder().encode(content) : content;
  await Deno.writeFile(`${dir}/${name}`, data);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function readAll(
  dir: string,
  config: Record<string, unknown>,
  options: { from?: Cursor; size?: number } = {},
) {
  const ctx = testContext({ inputRoot: dir });
  const batches: Batch[] = [];
  const parsed = JsonConfig.parse(config);
  const run = jsonExtractor.run(ctx, parsed, { batchSize: options.size ?? 2, from: options.from });
  for await (const b of run) batches.push(b);
  assert.deepEqual(ctx.rejections, [], "read-stage rejections travel in batches");
  return {
    rows: batches.flatMap((b) => b.rows),
    refs: batches.flatMap((b) => b.refs),
    rejected: batches.flatMap((b) => b.rejected ?? []),
    batches,
  };
}

/** Every batch's cursor resumes with exactly the rows and rejections after it. */
async function assertResumes(dir: string, config: Record<string, unknown>, size: number) {
  const all = await readAll(dir, config, { size });
  for (const [i, batch] of all.batches.entries()) {
    const rest = await readAll(dir, config, { from: batch.cursor, size });
    const done = all.batches.slice(0, i + 1);
    assert.deepEqual(
      [...done.flatMap((b) => b.rows), ...rest.rows],
      all.rows,
      `rows after batch ${i}`,
    );
    assert.deepEqual([...done.flatMap((b) => b.refs), ...rest.refs], all.refs);
    assert.deepEqual(
      [...done.flatMap((b) => b.rejected ?? []), ...rest.rejected],
      all.rejected,
      `rejections after batch ${i}`,
    );
  }
  return all;
}

const BUNDLE = JSON.stringify(
  {
    resourceType: "Bundle",
    type: "collection",
    meta: { tag: [{ code: "[entry]" }] },
    entry: [
      { fullUrl: "urn:uuid:1", resource: { resourceType: "Patient", id: "p1", gender: "female" } },
      { fullUrl: "urn:uuid:2" },
      {
        fullUrl: "urn:uuid:3",
        resource: { resourceType: "Immunization", id: "i1", patient: { reference: "Patient/p1" } },
      },
    ],
  },
  null,
  2,
);

Deno.test("jsonExtractor keeps the registry contract", () => assertEntryContract(jsonExtractor));

Deno.test("jsonExtractor reads a top-level array with nested values kept as objects", async () => {
  const text = '[\n  {"id": 1, "name": {"given": ["Ann"]}},\n  {"id": 2, "tags": []}\n]\n';
  await withFile("people.json", text, async (dir) => {
    const { rows, refs, rejected } = await readAll(dir, { path: "people.json" });
    assert.deepEqual(rows, [{ id: 1, name: { given: ["Ann"] } }, { id: 2, tags: [] }]);
    assert.deepEqual(refs, [
      { source: "people.json", line: 2, index: 0 },
      { source: "people.json", line: 3, index: 1 },
    ]);
    assert.deepEqual(rejected, []);
  });
});

Deno.test("jsonExtractor reads the array at a pointer inside an object", async () => {
  const text = JSON.stringify({
    count: 2,
    data: { other: [{ id: "x" }], patients: [{ id: "a" }, { id: "b" }] },
  });
  await withFile("api.json", text, async (dir) => {
    const { rows } = await readAll(dir, { path: "api.json", pointer: "/data/patients" });
    assert.deepEqual(rows, [{ id: "a" }, { id: "b" }]);
  });
});

Deno.test("jsonExtractor turns a FHIR Bundle's entries into resource rows", async () => {
  await withFile("bundle.json", BUNDLE, async (dir) => {
    const config = { path: "bundle.json", pointer: "/entry", unwrap: "resource" };
    const { rows, refs, rejected } = await readAll(dir, config);
    assert.deepEqual(rows.map((r) => `${r.resourceType}/${r.id}`), [
      "Patient/p1",
      "Immunization/i1",
    ]);
    assert.deepEqual(rows[1].patient, { reference: "Patient/p1" });
    assert.deepEqual(refs.map((r) => r.index), [0, 2]);
    assert.deepEqual(rejected.map((r) => r.reason), ['line 20: element 1: no "resource" field']);
  });
});

Deno.test("jsonExtractor rejects a bad NDJSON line with its line and reads the others", async () => {
  const text = [
    '{"id": 1}',
    '{"id": 2}',
    "",
    '{"id": 3, oops}',
    "[1, 2]",
    '{"id": 4}\r',
    '{"id": 5}',
  ].join("\n");
  await withFile("rows.ndjson", text, async (dir) => {
    const { rows, refs, rejected } = await readAll(dir, { path: "rows.ndjson" });
    assert.deepEqual(rows.map((r) => r.id), [1, 2, 4, 5]);
    assert.deepEqual(refs.map((r) => [r.line, r.index]), [[1, 0], [2, 1], [6, 4], [7, 5]]);
    assert.deepEqual(rejected, [
      {
        ref: { source: "rows.ndjson", line: 4, index: 2 },
        reason: "line 4: Expected double-quoted property name in JSON at column 11",
      },
      {
        ref: { source: "rows.ndjson", line: 5, index: 3 },
        reason: "line 5: found an array, expected an object",
      },
    ]);
  });
});

Deno.test("jsonExtractor rejects array elements that are not objects", async () => {
  await withFile("mixed.json", '[{"a": 1}, 2, [3], "x", null, {"a": 4}]', async (dir) => {
    const { rows, rejected } = await readAll(dir, { path: "mixed.json" }, { size: 10 });
    assert.deepEqual(rows, [{ a: 1 }, { a: 4 }]);
    assert.deepEqual(rejected.map((r) => r.reason), [
      "line 1: element 1: found a number, expected an object",
      "line 1: element 2: found an array, expected an object",
      "line 1: element 3: found a string, expected an object",
      "line 1: element 4: found null, expected an object",
    ]);
  });
});

Deno.test("jsonExtractor reads an empty array and an empty file as zero rows", async () => {
  await withFile("empty.json", "[ ]\n", async (dir) => {
    const { rows, batches } = await readAll(dir, { path: "empty.json" });
    assert.deepEqual([rows.length, batches.length], [0, 0]);
  });
  await withFile("empty.ndjson", "", async (dir) => {
    const { rows } = await readAll(dir, { path: "empty.ndjson" });
    assert.equal(rows.length, 0);
  });
});

Deno.test("jsonExtractor skips a UTF-8 BOM in arrays and NDJSON", async () => {
  const bom = [0xef, 0xbb, 0xbf];
  const array = new TextEncoder().encode('[{"city": "Montréal"}]');
  await withFile("bom.json", new Uint8Array([...bom, ...array]), async (dir) => {
    const { rows } = await readAll(dir, { path: "bom.json" });
    assert.deepEqual(rows, [{ city: "Montréal" }]);
  });
  const lines = new TextEncoder().encode('{"city": "Köln"}\n{"city": "Zoë"}\n');
  await withFile("bom.ndjson", new Uint8Array([...bom, ...lines]), async (dir) => {
    const { rows } = await readAll(dir, { path: "bom.ndjson" });
    assert.deepEqual(rows, [{ city: "Köln" }, { city: "Zoë" }]);
  });
});

Deno.test("jsonExtractor reads Windows-1252 files", async () => {
  // '[{"name": "Zoë"}]' with ë as the single byte 0xEB.
  const bytes = new Uint8Array([
    ...new TextEncoder().encode('[{"name": "Zo'),
    0xeb,
    0x22,
    0x7d,
    0x5d,
  ]);
  await withFile("legacy.json", bytes, async (dir) => {
    const { rows } = await readAll(dir, { path: "legacy.json" });
    assert.deepEqual(rows, [{ name: "Zoë" }]);
  });
});

Deno.test("jsonExtractor keeps brackets, braces, escaped quotes and unicode escapes in strings", async () => {
  const text = String.raw`{"entry": [
  {"note": "] } { [ \"quoted\" \\", "name": "Jos\u00e9 \ud83d\udc89", "x": "\/"},
  {"note": "[{\"entry\": []}]"}
]}`;
  await withFile("strings.json", text, async (dir) => {
    const { rows } = await readAll(dir, { path: "strings.json", pointer: "/entry" });
    assert.deepEqual(rows, [
      { note: '] } { [ "quoted" \\', name: "José 💉", x: "/" },
      { note: '[{"entry": []}]' },
    ]);
  });
});

Deno.test("jsonExtractor says when the pointer holds no array", async () => {
  await withFile("x.json", '{"data": {"doctors": []}}', async (dir) => {
    await assert.rejects(() => readAll(dir, { path: "x.json", pointer: "/data/patients" }), {
      name: "ConfigError",
      message: 'Cannot read "x.json": no array at /data/patients',
    });
  });
});

Deno.test("jsonExtractor reads the records of a truncated file, then says where it ends", async () => {
  const text = BUNDLE.split("\n").slice(0, 26).join("\n") + "\n";
  await withFile("x.json", text, async (dir) => {
    const ctx = testContext({ inputRoot: dir });
    const config = JsonConfig.parse({ path: "x.json", pointer: "/entry", unwrap: "resource" });
    const rows: unknown[] = [];
    await assert.rejects(async () => {
      for await (const b of jsonExtractor.run(ctx, config, { batchSize: 1 })) rows.push(...b.rows);
    }, {
      name: "ConfigError",
      message: 'Cannot read "x.json": the array at /entry is not closed (file ends at line 26)',
    });
    assert.equal(rows.length, 1, "the complete entries before the cut are read");
  });
});

Deno.test("jsonExtractor reads a lone object as one record and detects NDJSON", async () => {
  await withFile("one.json", '{\n  "resourceType": "Patient",\n  "id": "p1"\n}\n', async (dir) => {
    const { rows, refs } = await readAll(dir, { path: "one.json" });
    assert.deepEqual(rows, [{ resourceType: "Patient", id: "p1" }]);
    assert.deepEqual(refs, [{ source: "one.json", line: 1, index: 0 }]);
  });
  await withFile("two.json", '{"id": 1}\n{"id": 2}\n', async (dir) => {
    const { rows } = await readAll(dir, { path: "two.json" });
    assert.deepEqual(rows, [{ id: 1 }, { id: 2 }]);
  });
  await withFile("bad.json", '{"id": 1}\n{"id": \n', async (dir) => {
    await assert.rejects(() => readAll(dir, { path: "bad.json", layout: "array" }), {
      message: 'Cannot read "bad.json": no array at the top level (found an object)',
    });
  });
});

Deno.test("jsonExtractor resumes from every batch cursor with exactly the remaining rows", async () => {
  const pretty = JSON.stringify(
    Array.from({ length: 23 }, (_, i) => (i % 5 === 3 ? i : { id: i, name: `é${i} ]}` })),
    null,
    2,
  );
  await withFile("pretty.json", pretty, async (dir) => {
    const all = await assertResumes(dir, { path: "pretty.json" }, 3);
    assert.deepEqual([all.rows.length, all.rejected.length], [19, 4]);
  });
  await withFile("bundle.json", BUNDLE, async (dir) => {
    await assertResumes(dir, { path: "bundle.json", pointer: "/entry", unwrap: "resource" }, 1);
  });
  const lines = Array.from({ length: 30 }, (_, i) => i % 7 === 6 ? "{bad" : `{"id":"ü${i}"}`);
  await withFile("lines.ndjson", lines.join("\n\n"), async (dir) => {
    const all = await assertResumes(dir, { path: "lines.ndjson" }, 4);
    assert.deepEqual([all.rows.length, all.rejected.length], [26, 4]);
  });
  await withFile("one.json", '{"id": 1}', async (dir) => {
    await assertResumes(dir, { path: "one.json" }, 1);
  });
});

Deno.test("jsonExtractor reads files larger than its 1 MiB pieces", async () => {
  // One line of ~3 MiB, with multi-byte characters falling on the piece boundaries.
  const records = Array.from({ length: 30_000 }, (_, i) => ({
    id: `p${i}`,
    name: { family: "Müller-Łukasz 💉", given: ["Zoë", '"[}'] },
    birthDate: "1980-01-01",
  }));
  const text = JSON.stringify({ resourceType: "Bundle", entry: records });
  assert.ok(new TextEncoder().encode(text).length > 3 << 20, "crosses three piece boundaries");
  await withFile("big.json", text, async (dir) => {
    const config = { path: "big.json", pointer: "/entry" };
    const all = await readAll(dir, config, { size: 1000 });
    assert.deepEqual(all.rows, records);
    for (const i of [3, 11, 28]) {
      const rest = await readAll(dir, config, { from: all.batches[i].cursor, size: 1000 });
      assert.deepEqual(rest.rows, records.slice((i + 1) * 1000), `resume after batch ${i}`);
    }
  });
  const ndjson = records.map((r) => JSON.stringify(r)).join("\n");
  await withFile("big.ndjson", ndjson, async (dir) => {
    const all = await readAll(dir, { path: "big.ndjson" }, { size: 5000 });
    assert.deepEqual(all.rows, records);
    const rest = await readAll(dir, { path: "big.ndjson" }, { from: all.batches[0].cursor });
    assert.deepEqual(rest.rows, records.slice(5000));
  });
});

Deno.test("JsonConfig asks for a pointer with layout pointer", () => {
  const result = JsonConfig.safeParse({ path: "a.json", layout: "pointer" });
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues.map((i) => i.path), [["pointer"]]);
  assert.equal(JsonConfig.safeParse({ path: "a.json", pointer: "data" }).success, false);
});

Deno.test("jsonExtractor says which file is missing and fingerprints the input", async () => {
  await withFile("a.json", "[]", async (dir) => {
    await assert.rejects(() => readAll(dir, { path: "nope.json" }), {
      message: 'Cannot read "nope.json": no such file',
    });
    const ctx = testContext({ inputRoot: dir });
    const [print] = await jsonExtractor.fingerprint(ctx, JsonConfig.parse({ path: "a.json" }));
    assert.deepEqual([print.path, print.size], ["a.json", 2]);
    assert.match(print.sha256, /^[0-9a-f]{64}$/);
  });
});
