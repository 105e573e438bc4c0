/**
 * One database benchmark run with our engine, in a process of its own so its peak RSS is the
 * engine's alone. Like `run_one.ts`, but the run may reach the databases on loopback.
 *
 * @example
 * ```sh
 * deno run -A bench/db_one.ts bench/out/db/copy.json
 * ```
 * @module
 */
import { runPipeline } from "../etl/pipeline.ts";

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

if (import.meta.main) {
  const [specPath] = Deno.args;
  if (!specPath) {
    console.error("Usage: db_one.ts <spec.json>");
    Deno.exit(2);
  }
  const spec = JSON.parse(await Deno.readTextFile(specPath));
  const t0 = performance.now();
  const result = await runPipeline(spec, {
    inputRoot: ".",
    outputRoot: ".",
    allowPrivateNetwork: true,
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({
    status: result.status,
    error: result.error,
    counts: result.counts,
    seconds,
    peakRssMb: peakRssMb(),
  }));
}
