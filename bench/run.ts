/**
 * The benchmark: generates Synthea CSVs (cached under bench/out/<size>/), then runs each
 * conversion with our engine and with the DuckDB peer, each in a child process of its own so
 * peak RSS is that process's alone, and prints a table with rows/s, peak RSS and ours/peer.
 *
 * @example
 * ```sh
 * deno task bench                                  # 1M patients, all conversions, DuckDB 1 and 2 threads
 * deno task bench --patients 100000 --only patient --skip-peer
 * deno task bench --sizes 1000000,5000000 --skip-peer   # memory flatness
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { measure, outputMb } from "./_measure.ts";

type Conversion = "patient" | "immunization" | "parquet";
const CONVERSIONS: readonly Conversion[] = ["patient", "immunization", "parquet"];

/** Rows/s each conversion must reach with our engine on one core. */
const TARGETS: Record<Conversion, number> = {
  patient: 150_000,
  immunization: 300_000,
  parquet: 250_000,
};
const RSS_TARGET_MB = 200;

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One measured conversion. */
interface Measurement {
  patients: number;
  conversion: Conversion;
  engine: string;
  rows: number;
  seconds: number;
  wallSeconds: number;
  peakRssMb: number;
  outMb: number;
  error?: string;
}

/** "1m" for 1,000,000, "100k" for 100,000, the number otherwise. */
function label(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Generate the CSVs unless bench/out/<size>/ already holds them for this seed. */
async function ensureData(patients: number, seed: number): Promise<string> {
  const dir = `bench/out/${label(patients)}`;
  try {
    const meta = JSON.parse(await Deno.readTextFile(`${ROOT}${dir}/generated.json`));
    const have = (await exists(`${ROOT}${dir}/patients.csv`)) &&
      (await exists(`${ROOT}${dir}/immunizations.csv`));
    if (have && meta.patients === patients && meta.seed === seed) return dir;
  } catch { /* not generated yet */ }
  console.error(`generating ${patients} patients into ${dir} ...`);
  const { generate } = await import("./generate.ts");
  const t0 = performance.now();
  const r = await generate({ patients, out: `${ROOT}${dir}`, seed });
  const s = (performance.now() - t0) / 1000;
  console.error(`  ${r.patients} patients, ${r.immunizations} immunizations in ${s.toFixed(1)} s`);
  return dir;
}

const INPUT: Record<Conversion, string> = {
  patient: "patients.csv",
  immunization: "immunizations.csv",
  parquet: "patients.csv",
};
const OUTPUT: Record<Conversion, string> = {
  patient: "Patient.ndjson",
  immunization: "Immunization.ndjson",
  parquet: "patients.parquet",
};

/** The pipeline spec our engine runs for a conversion (paths relative to the repo root). */
export function specFor(
  conversion: Conversion,
  dir: string,
  options: { batchSize: number; rowGroupSize?: number },
): unknown {
  const transforms = conversion === "parquet"
    ? [{ type: "normalize" }]
    : [{ type: `fhir-${conversion}`, preset: "synthea" }];
  return {
    version: 1,
    name: `bench-${conversion}`,
    source: { type: "csv", path: `${dir}/${INPUT[conversion]}` },
    transforms,
    output: conversion === "parquet"
      ? {
        format: "parquet",
        ...(options.rowGroupSize ? { rowGroupSize: options.rowGroupSize } : {}),
      }
      : { format: "ndjson" },
    repository: { type: "file", path: `${dir}/ours/${OUTPUT[conversion]}` },
    options: { batchSize: options.batchSize, maxRejected: 1000 },
  };
}

async function runOurs(
  patients: number,
  conversion: Conversion,
  dir: string,
  opts: {
    batchSize: number;
    rowGroupSize?: number;
    keep: boolean;
    v8Flags?: string;
    profile: boolean;
    viaCli: boolean;
  },
): Promise<Measurement> {
  const specPath = `${dir}/specs/${conversion}.json`;
  await Deno.mkdir(`${ROOT}${dir}/specs`, { recursive: true });
  const spec = specFor(conversion, dir, opts);
  await Deno.writeTextFile(`${ROOT}${specPath}`, JSON.stringify(spec, null, 2) + "\n");
  const flags = opts.v8Flags ? [`--v8-flags=${opts.v8Flags}`] : [];
  const profile = opts.profile ? ["--profile", `${dir}/${conversion}.cpuprofile`] : [];
  // Through the CLI, seconds are the child's wall time (start-up included).
  const script = opts.viaCli
    ? ["cli.ts", "run", specPath, "--input-root", ".", "--output-root", "."]
    : ["bench/run_one.ts", specPath, "."];
  const m = await measure([
    Deno.execPath(),
    "run",
    "-A",
    ...flags,
    ...script,
    ...(opts.viaCli ? [] : profile),
  ], ROOT);
  // With --profile, run_one prints the self-time summary on stderr.
  if (opts.profile) console.error(m.stderr);
  const j = m.json as {
    status?: string;
    error?: string;
    counts?: { written: number };
    seconds?: number;
  } | null;
  const ok = j?.status === "succeeded";
  return {
    patients,
    conversion,
    engine: opts.viaCli ? "ours (cli)" : "ours",
    rows: j?.counts?.written ?? 0,
    seconds: j?.seconds ?? m.wallSeconds,
    wallSeconds: m.wallSeconds,
    peakRssMb: m.peakRssMb,
    outMb: await outputMb(`${ROOT}${dir}/ours/${OUTPUT[conversion]}`, opts.keep),
    error: ok ? undefined : (j?.error ?? m.stderr.split("\n").slice(-3).join(" ")),
  };
}

async function runPeer(
  patients: number,
  conversion: Conversion,
  dir: string,
  threads: number,
  keep: boolean,
): Promise<Measurement> {
  const out = `${dir}/peer/${OUTPUT[conversion]}`;
  await Deno.mkdir(`${ROOT}${dir}/peer`, { recursive: true });
  const m = await measure([
    Deno.execPath(),
    "run",
    "-A",
    "bench/peer_duckdb.ts",
    "--conversion",
    conversion,
    "--input",
    `${dir}/${INPUT[conversion]}`,
    "--output",
    out,
    "--threads",
    String(threads),
  ], ROOT); // deno-fmt-ignore
  const j = m.json as { rows?: number; seconds?: number } | null;
  return {
    patients,
    conversion,
    engine: `duckdb ${threads}t`,
    rows: j?.rows ?? 0,
    seconds: j?.seconds ?? m.wallSeconds,
    wallSeconds: m.wallSeconds,
    peakRssMb: m.peakRssMb,
    outMb: await outputMb(`${ROOT}${out}`, keep),
    error: j?.rows === undefined ? m.stderr.split("\n").slice(-3).join(" ") : undefined,
  };
}

const rate = (m: Measurement) => (m.seconds > 0 ? m.rows / m.seconds : 0);
const fmtRate = (r: number) => (r >= 1000 ? `${Math.round(r / 1000)}k` : `${Math.round(r)}`);

/** The results as a Markdown table: one line per engine, peers compared with ours. */
export function table(results: Measurement[]): string {
  const head =
    "| patients | conversion | engine | rows | seconds | rows/s | peak RSS MB | out MB " +
    "| speed ours/peer | RSS ours/peer | target |\n|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|";
  const lines = results.map((m) => {
    const ours = results.find((o) =>
      o.engine.startsWith("ours") && o.conversion === m.conversion && o.patients === m.patients
    );
    const peer = !m.engine.startsWith("ours") && ours && !ours.error;
    const speed = peer && rate(m) > 0 ? (rate(ours) / rate(m)).toFixed(2) : "";
    const rss = peer && m.peakRssMb > 0 ? (ours.peakRssMb / m.peakRssMb).toFixed(2) : "";
    let target = "";
    if (m.engine.startsWith("ours") && !m.error) {
      const fast = rate(m) >= TARGETS[m.conversion];
      const small = m.peakRssMb <= RSS_TARGET_MB;
      target = `≥${fmtRate(TARGETS[m.conversion])}/s ${fast ? "ok" : "MISS"}, ` +
        `≤${RSS_TARGET_MB} MB ${small ? "ok" : "MISS"}`;
    }
    if (m.error) {
      target = `FAILED: ${m.error.replace(/\s+/g, " ").slice(0, 160).replaceAll("|", "/")}`;
    }
    return `| ${label(m.patients)} | ${m.conversion} | ${m.engine} | ${m.rows} | ` +
      `${m.seconds.toFixed(2)} | ${fmtRate(rate(m))} | ${m.peakRssMb} | ${m.outMb} | ${speed} | ` +
      `${rss} | ${target} |`;
  });
  return [head, ...lines].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      patients: { type: "string", default: "1000000" },
      sizes: { type: "string" },
      "skip-peer": { type: "boolean", default: false },
      only: { type: "string" },
      threads: { type: "string", default: "1,2" },
      seed: { type: "string", default: "42" },
      "batch-size": { type: "string", default: "1000" },
      "keep-output": { type: "boolean", default: false },
      "v8-flags": { type: "string" },
      profile: { type: "boolean", default: false },
      "via-cli": { type: "boolean", default: false },
      "row-group-size": { type: "string" },
    },
  });
  const num = (s: string) => Number(s.replaceAll("_", ""));
  const sizes = (values.sizes ?? values.patients!).split(",").map(num);
  const only = values.only as Conversion | undefined;
  if (only && !CONVERSIONS.includes(only)) {
    console.error(`--only must be one of ${CONVERSIONS.join(", ")}`);
    Deno.exit(2);
  }
  const conversions = only ? [only] : CONVERSIONS;
  const threads = values.threads!.split(",").map(Number);
  const results: Measurement[] = [];
  for (const patients of sizes) {
    const dir = await ensureData(patients, num(values.seed!));
    for (const conversion of conversions) {
      const opts = {
        batchSize: num(values["batch-size"]!),
        keep: values["keep-output"]!,
        v8Flags: values["v8-flags"],
        profile: values.profile!,
        viaCli: values["via-cli"]!,
        rowGroupSize: values["row-group-size"] ? num(values["row-group-size"]) : undefined,
      };
      const ours = await runOurs(patients, conversion, dir, opts);
      results.push(ours);
      console.error(
        `${label(patients)} ${conversion} ours: ${
          fmtRate(rate(ours))
        } rows/s, ${ours.peakRssMb} MB${ours.error ? ` (failed: ${ours.error})` : ""}`,
      );
      if (values["skip-peer"]) continue;
      for (const t of threads) {
        const peer = await runPeer(patients, conversion, dir, t, values["keep-output"]!);
        results.push(peer);
        console.error(
          `${label(patients)} ${conversion} duckdb ${t}t: ${
            fmtRate(rate(peer))
          } rows/s, ${peer.peakRssMb} MB`,
        );
      }
    }
  }
  console.log(table(results));
  const stamp = new Date().toISOString().replaceAll(":", "-").slice(0, 19);
  await Deno.mkdir(`${ROOT}bench/out`, { recursive: true });
  await Deno.writeTextFile(
    `${ROOT}bench/out/results-${stamp}.json`,
    JSON.stringify(results, null, 2),
  );
}
