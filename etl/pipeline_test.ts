import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { runPipeline } from "./pipeline.ts";

async function tempDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

function spec(extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    name: "test",
    source: { type: "csv", path: "in.csv" },
    transforms: [{ type: "normalize" }],
    output: { format: "ndjson" },
    repository: { type: "file", path: "out/result.ndjson" },
    ...extra,
  };
}

Deno.test("runPipeline counts every stage and the counts add up", async () => {
  const dir = await tempDir({ "in.csv": "id,age\n1,40\n2,forty\n3,7,extra\n4,12\n" });
  try {
    const result = await runPipeline(
      spec({ transforms: [{ type: "normalize", types: { age: "integer" } }] }),
      {
        inputRoot: dir,
        outputRoot: dir,
      },
    );
    assert.equal(result.status, "succeeded", result.error);
    assert.deepEqual(result.counts, {
      read: 4,
      normalized: 2,
      mapped: 2,
      valid: 2,
      written: 2,
      rejected: 2,
    });
    assert.equal(result.counts.read, result.counts.written + result.counts.rejected);
    // Read-stage rejections of a batch are reported before its transforms run.
    assert.deepEqual(result.rejected.kept.map((r) => [r.ref.line, r.stage, r.reason]), [
      [4, "read", "line 4 has 3 fields, header has 2"],
      [3, "normalized", 'column "age": "forty" is not a whole number'],
    ]);
    const lines = (await Deno.readTextFile(`${dir}/out/result.ndjson`)).trim().split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [{ id: "1", age: 40 }, { id: "4", age: 12 }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline writes a manifest with input fingerprint, hash, checksum and counts", async () => {
  const csv = "id,name\n1,Ann\n";
  const dir = await tempDir({ "in.csv": csv });
  try {
    const result = await runPipeline(spec(), { inputRoot: dir, outputRoot: dir });
    const m = result.manifest!;
    assert.deepEqual(m.inputs, [{
      path: "in.csv",
      size: csv.length,
      sha256: createHash("sha256").update(csv).digest("hex"),
    }]);
    assert.match(m.pipeline.hash, /^sha256:[0-9a-f]{64}$/);
    const bytes = await Deno.readFile(`${dir}/out/result.ndjson`);
    assert.equal(m.output.checksum, `sha256:${createHash("sha256").update(bytes).digest("hex")}`);
    assert.equal(m.output.bytes, bytes.length);
    assert.equal(m.output.location, "out/result.ndjson");
    assert.deepEqual(m.counts, result.counts);
    assert.match(m.engineVersion, /^\d+\.\d+\.\d+$/);
    const again = await runPipeline({ ...spec(), name: "test" }, {
      inputRoot: dir,
      outputRoot: dir,
    });
    assert.equal(again.manifest!.pipeline.hash, m.pipeline.hash, "same spec, same hash");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline lists every spec problem with its path", async () => {
  const dir = await tempDir({ "in.csv": "id\n1\n" });
  try {
    const result = await runPipeline(
      spec({
        source: { type: "csv", path: "in.csv", delimiter: "#" },
        transforms: [{ type: "normalize", trim: "yes" }, { type: "reshape" }],
        output: { format: "xlsx" },
        options: { batchSize: 0 },
      }),
      { inputRoot: dir, outputRoot: dir },
    );
    assert.equal(result.status, "failed");
    const lines = result.error!.split("\n");
    assert.match(lines[0], /problem/);
    assert.ok(lines.some((l) => l.startsWith("- options.batchSize:")), result.error);
    // The outer shape fails first; step configs are checked once it is right.
    const second = await runPipeline(
      spec({
        source: { type: "csv", path: "in.csv", delimiter: "#" },
        transforms: [{ type: "normalize", trim: "yes" }, { type: "reshape" }],
        output: { format: "xlsx" },
      }),
      { inputRoot: dir, outputRoot: dir },
    );
    const problems = second.error!.split("\n").slice(1);
    assert.ok(problems.some((p) => p.startsWith("- source.delimiter:")), second.error);
    assert.ok(problems.some((p) => p.startsWith("- transforms[0].trim:")), second.error);
    assert.ok(
      problems.some((p) => p.startsWith('- transforms[1].type: unknown transform type "reshape"')),
    );
    assert.ok(problems.some((p) => p.startsWith('- output.format: unknown output format "xlsx"')));
    assert.equal(problems.length, 4, second.error);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline names unknown mapped columns with the transform's path", async () => {
  const dir = await tempDir({ "in.csv": "id,name\n1,Ann\n" });
  try {
    const result = await runPipeline(
      spec({ transforms: [{ type: "normalize", types: { SEX: "string" } }] }),
      { inputRoot: dir, outputRoot: dir },
    );
    assert.equal(result.status, "failed");
    assert.match(result.error!, /- transforms\[0\]\.types\.SEX: unknown column "SEX"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline fails loudly past the rejection limit and leaves no output", async () => {
  const rows = ["id,age", ...Array.from({ length: 30 }, (_, i) => `${i},x${i}`)];
  const dir = await tempDir({ "in.csv": rows.join("\n") });
  try {
    const result = await runPipeline(
      spec({
        transforms: [{ type: "normalize", types: { age: "integer" } }],
        options: { batchSize: 10, maxRejected: 5, keepRejected: 3 },
      }),
      { inputRoot: dir, outputRoot: dir },
    );
    assert.equal(result.status, "failed");
    assert.match(result.error!, /More than 5 rows were rejected.*nothing was written/);
    assert.equal(result.rejected.kept.length, 3);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    const outDir = left.includes("out") ? [...Deno.readDirSync(`${dir}/out`)] : [];
    assert.deepEqual(outDir, [], "no partial or final file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline warns when the source has no rows", async () => {
  const dir = await tempDir({ "in.csv": "id,name\n" });
  try {
    const result = await runPipeline(spec(), { inputRoot: dir, outputRoot: dir });
    assert.equal(result.status, "succeeded");
    assert.equal(result.counts.read, 0);
    assert.match(result.warnings[0], /No rows were read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline reports a missing input as a sentence, not a stack trace", async () => {
  const dir = await tempDir();
  try {
    const result = await runPipeline(spec(), { inputRoot: dir, outputRoot: dir });
    assert.equal(result.status, "failed");
    assert.equal(result.error, 'Cannot read "in.csv": no such file');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline refuses an output path outside the output folder", async () => {
  const dir = await tempDir({ "in.csv": "id\n1\n" });
  try {
    for (const path of ["../escape.ndjson", "/tmp/abs.ndjson"]) {
      const result = await runPipeline(spec({ repository: { type: "file", path } }), {
        inputRoot: dir,
        outputRoot: `${dir}/out`,
      });
      assert.equal(result.status, "failed");
      assert.match(result.error!, /outside its root folder|is absolute/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline names an unknown FHIR mapping column with its full path", async () => {
  const dir = await tempDir({
    "in.csv": "mrn,first_name,last_name,dob,gender\n1,Ann,Lee,1980-01-19,F\n",
  });
  try {
    const result = await runPipeline(
      spec({
        transforms: [{ type: "normalize" }, { type: "fhir-patient", mapping: { gender: "SEX" } }],
      }),
      { inputRoot: dir, outputRoot: dir },
    );
    assert.equal(result.status, "failed");
    assert.match(result.error!, /- transforms\[1\]\.mapping\.gender: unknown column "SEX"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runPipeline asks for an output format when a file repository has none", async () => {
  const dir = await tempDir({ "in.csv": "id\n1\n" });
  try {
    const { output: _omit, ...noOutput } = spec();
    const result = await runPipeline(noOutput, { inputRoot: dir, outputRoot: dir });
    assert.equal(result.status, "failed");
    assert.match(
      result.error ?? "",
      /output: the files repository needs an output format; choose one of csv, sql, json, ndjson, parquet/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
