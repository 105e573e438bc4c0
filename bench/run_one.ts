/**
 * One benchmark conversion with our engine, in a process of its own so its peak RSS is the
 * engine's alone: runs a pipeline spec and prints one JSON line (status, counts, seconds, peak
 * RSS). `bench/run.ts` starts it; it imports nothing but the engine.
 *
 * @example
 * ```sh
 * deno run -A bench/run_one.ts bench/out/1m/specs/patient.json .
 * deno run -A bench/run_one.ts bench/out/1m/specs/patient.json . --profile bench/out/patient.cpuprofile
 * ```
 * @module
 */
import { runPipeline } from "../etl/pipeline.ts";
import { startProfiler, summarize } from "./_profile.ts";

/** What one run of our engine measured. */
export interface OneResult {
  status: string;
  error?: string;
  counts: Record<string, number>;
  /** Seconds inside runPipeline (planning, fingerprint, conversion, publish). */
  seconds: number;
  /** VmHWM of this process at the end, in MB. */
  peakRssMb: number;
  outputBytes?: number;
}

function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

if (import.meta.main) {
  const [specPath, root = ".", flag, profilePath] = Deno.args;
  if (!specPath || (flag && (flag !== "--profile" || !profilePath))) {
    console.error("Usage: run_one.ts <spec.json> [root] [--profile <out.cpuprofile>]");
    Deno.exit(2);
  }
  const spec = JSON.parse(await Deno.readTextFile(specPath));
  const profiler = profilePath ? await startProfiler() : undefined;
  const t0 = performance.now();
  const result = await runPipeline(spec, { inputRoot: root, outputRoot: root });
  const seconds = (performance.now() - t0) / 1000;
  if (profiler) {
    const profile = await profiler.stop();
    await Deno.writeTextFile(profilePath, JSON.stringify(profile));
    // The summary goes to stderr: stdout's last line is the JSON result.
    console.error(summarize(profile));
  }
  const out: OneResult = {
    status: result.status,
    error: result.error,
    counts: result.counts,
    seconds,
    peakRssMb: peakRssMb(),
    outputBytes: result.output?.bytes,
  };
  console.log(JSON.stringify(out));
  if (result.status !== "succeeded") Deno.exit(1);
}
