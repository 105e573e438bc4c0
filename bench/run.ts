/**
 * The benchmark: generates Synthea CSVs (cached under bench/out/<size>/), then runs each
 * conversion with our engine and with the DuckDB peer, each in a child process of its own so
 * peak RSS is that process's alone, and prints a table with rows/s, peak RSS and ours/peer.
 *
 * @example
 * ```sh
 * deno task bench                                  # 1M patients, all conversions, DuckDB 1 and 2 threads
 * deno task bench --repeat 1                       # one run of each instead of the best of three
 * deno task bench --patients 100000 --only patient --skip-peer
 * deno task bench --sizes 1000000,5000000 --skip-peer   # memory flatness
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { measure, outputMb } from "./_measure.ts";
import {
  type Conversion,
  CONVERSIONS,
  fmtRate,
  fold,
  label,
  type Measurement,
  rate,
  table,
} from "./_results.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

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

/**
 * The V8 flags deno.json's `start`, `worker` and `etl` tasks give the engine (see the README's
 * "Memory"): without them a run's peak RSS was 240–268 MB in half of the runs, 165 MB with.
 */
const ENGINE_V8_FLAGS = "--no-allocation-site-pretenuring";

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
  const flags = [`--v8-flags=${[ENGINE_V8_FLAGS, opts.v8Flags].filter(Boolean).join(",")}`];
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
    medianSeconds: j?.seconds ?? m.wallSeconds,
    runs: 1,
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
    medianSeconds: j?.seconds ?? m.wallSeconds,
    runs: 1,
    wallSeconds: m.wallSeconds,
    peakRssMb: m.peakRssMb,
    outMb: await outputMb(`${ROOT}${out}`, keep),
    error: j?.rows === undefined ? m.stderr.split("\n").slice(-3).join(" ") : undefined,
  };
}

const USAGE = `Usage: deno task bench [options]
  --patients N        patients to generate and convert (default 1000000)
  --sizes N,M         several sizes instead of --patients
  --only C            one conversion: ${CONVERSIONS.join(", ")}
  --repeat N          runs of each engine, interleaved; the fastest is reported (default 3)
  --skip-peer         our engine only
  --threads 1,2       DuckDB thread counts (default 1,2)
  --seed N            generator seed (default 42)
  --batch-size N      pipeline batch size (default 1000)
  --row-group-size N  Parquet rows per row group
  --keep-output       keep the converted files
  --profile           CPU profile of our runs (bench/out/<size>/<conversion>.cpuprofile)
  --via-cli           run ours through cli.ts (start-up included)
  --v8-flags F        more V8 flags for our runs (beside --no-allocation-site-pretenuring)`;

/** One line on stderr per run, as it ends. */
function progress(m: Measurement): void {
  const failed = m.error ? ` (failed: ${m.error})` : "";
  console.error(
    `${label(m.patients)} ${m.conversion} ${m.engine}: ${
      fmtRate(rate(m))
    } rows/s, ${m.peakRssMb} MB${failed}`,
  );
}

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        patients: { type: "string", default: "1000000" },
        sizes: { type: "string" },
        "skip-peer": { type: "boolean", default: false },
        only: { type: "string" },
        repeat: { type: "string", default: "3" },
        threads: { type: "string", default: "1,2" },
        seed: { type: "string", default: "42" },
        "batch-size": { type: "string", default: "1000" },
        "keep-output": { type: "boolean", default: false },
        "v8-flags": { type: "string" },
        profile: { type: "boolean", default: false },
        "via-cli": { type: "boolean", default: false },
        "row-group-size": { type: "string" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const num = (s: string) => Number(s.replaceAll("_", ""));
  const sizes = (values.sizes ?? values.patients!).split(",").map(num);
  const only = values.only as Conversion | undefined;
  if (only && !CONVERSIONS.includes(only)) {
    console.error(`--only must be one of ${CONVERSIONS.join(", ")}`);
    Deno.exit(2);
  }
  const repeat = num(values.repeat!);
  if (!Number.isInteger(repeat) || repeat < 1) {
    console.error(`--repeat must be a whole number of runs, at least 1 (got "${values.repeat}")`);
    Deno.exit(2);
  }
  const conversions = only ? [only] : CONVERSIONS;
  const threads = values["skip-peer"] ? [] : values.threads!.split(",").map(Number);
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
      // Runs interleave (ours, each peer, ours, …) so that a machine that slows down for a
      // while slows every engine alike.
      const ours: Measurement[] = [];
      const peers: Measurement[][] = threads.map(() => []);
      for (let r = 0; r < repeat; r++) {
        ours.push(await runOurs(patients, conversion, dir, opts));
        progress(ours[r]);
        for (const [k, t] of threads.entries()) {
          peers[k].push(await runPeer(patients, conversion, dir, t, values["keep-output"]!));
          progress(peers[k][r]);
        }
      }
      results.push(fold(ours), ...peers.map(fold));
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
