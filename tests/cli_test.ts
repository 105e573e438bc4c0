import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

async function cli(args: string[], cwd = root, env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}/cli.ts`, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("etl run: the Synthea example writes FHIR NDJSON and prints the result JSON", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await cli([
      "run",
      "examples/synthea_patients.json",
      "--output-root",
      outRoot,
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "succeeded");
    assert.equal(result.counts.read, 115);
    assert.equal(result.counts.written + result.counts.rejected, 115);
    const text = await Deno.readTextFile(`${outRoot}/${result.output.location}`);
    const resources = text.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(resources.length, result.counts.written);
    assert.ok(resources.every((r) => r.resourceType === "Patient"));
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("etl convert: exit code 1 and a readable error for a missing input", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await cli([
      "convert",
      `${outRoot}/nope.csv`,
      "--to",
      "normalized",
      "--format",
      "csv",
      "--out",
      `${outRoot}/x.csv`,
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /FAILED: Cannot read "nope.csv": no such file/);
    assert.equal(JSON.parse(stdout).status, "failed");
    assert.ok(!stderr.includes("    at "), "no stack trace");
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("etl convert: a generic clinic CSV to every format", async () => {
  const outRoot = await Deno.makeTempDir();
  try {
    for (const format of ["ndjson", "json", "csv", "sql", "parquet"]) {
      const { code, stdout, stderr } = await cli([
        "convert",
        "data/samples/generic_clinic_patients.csv",
        "--to",
        "fhir-patient",
        "--preset",
        "generic",
        "--format",
        format,
        "--out",
        `${outRoot}/patients.${format}`,
      ]);
      assert.equal(code, 0, `${format}: ${stderr}`);
      const result = JSON.parse(stdout);
      assert.ok(result.counts.written > 0, format);
      const info = await Deno.stat(`${outRoot}/patients.${format}`);
      assert.equal(info.size, result.output.bytes, format);
    }
  } finally {
    await Deno.remove(outRoot, { recursive: true });
  }
});

Deno.test("etl convert: Parquet on the helper thread and with PARQUET_THREAD=0 is the same file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 12,000 rows: more than one piece, so the helper thread starts.
    const lines = ["mrn,first_name,dob,visits"];
    for (let i = 0; i < 12_000; i++) {
      lines.push(`M${i},Name ${i},19${String(i % 100).padStart(2, "0")}-03-0${1 + i % 9},${i % 7}`);
    }
    await Deno.writeTextFile(`${dir}/big.csv`, lines.join("\n") + "\n");
    const convert = (out: string, env: Record<string, string>) =>
      cli(
        ["convert", "big.csv", "--to", "normalized", "--format", "parquet", "--out", out],
        dir,
        env,
      );
    const threaded = await convert("a.parquet", {});
    const inline = await convert("b.parquet", { PARQUET_THREAD: "0" });
    assert.equal(threaded.code, 0, threaded.stderr);
    assert.equal(inline.code, 0, inline.stderr);
    const a = JSON.parse(threaded.stdout), b = JSON.parse(inline.stdout);
    assert.equal(a.counts.written, 12_000);
    assert.equal(a.output.checksum, b.output.checksum);
    assert.deepEqual(
      await Deno.readFile(`${dir}/a.parquet`),
      await Deno.readFile(`${dir}/b.parquet`),
    );

    const bad = await convert("c.parquet", { PARQUET_THREAD: "maybe" });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Bad setting PARQUET_THREAD="maybe": use 1 or 0/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("etl list: shows every registry entry with its config fields", async () => {
  const { code, stdout } = await cli(["list"]);
  assert.equal(code, 0);
  const entries = JSON.parse(stdout) as {
    kind: string;
    type: string;
    fields: { name: string }[];
  }[];
  const csv = entries.find((e) => e.kind === "source" && e.type === "csv")!;
  assert.deepEqual(csv.fields.map((f) => f.name), ["path", "delimiter", "encoding"]);
  for (const t of ["normalize", "fhir-patient", "fhir-immunization"]) {
    assert.ok(entries.some((e) => e.kind === "transform" && e.type === t), t);
  }
  for (const f of ["csv", "sql", "json", "ndjson", "parquet"]) {
    assert.ok(entries.some((e) => e.kind === "format" && e.type === f), f);
  }
});

Deno.test("etl with no command prints usage and exits 2", async () => {
  const { code, stderr } = await cli([]);
  assert.equal(code, 2);
  assert.match(stderr, /Usage:/);
});
