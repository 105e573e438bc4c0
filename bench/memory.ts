/**
 * Memory over one run: RSS, V8 heap (total and used) and external (ArrayBuffer) memory every
 * `--every` batches, and the process's peak RSS (VmHWM) at the end. Shows whether memory is flat
 * (no growth with input size) and when the peak happens. Not run in CI.
 *
 * @example
 * ```sh
 * deno run -A bench/memory.ts bench/out/5m/specs/immunization.json --every 500
 * ```
 * @module
 */
import { parseArgs } from "../cli/args.ts";
import { runPipeline } from "../etl/pipeline.ts";

const mb = (bytes: number) => Math.round(bytes / 1048576);

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

function line(label: string): string {
  const m = Deno.memoryUsage();
  return `${label}\trss ${mb(m.rss)}\theap ${mb(m.heapTotal)}/${mb(m.heapUsed)}\text ${
    mb(m.external)
  }\tpeak ${peakRssMb()}`;
}

if (import.meta.main) {
  const args = parseArgs(Deno.args);
  const [specPath, root = "."] = args.positionals;
  if (!specPath) {
    console.error("Usage: memory.ts <spec.json> [root] [--every N]");
    Deno.exit(2);
  }
  const every = Number(args.options.get("every") ?? 200);
  console.log(line("start"));
  const spec = JSON.parse(await Deno.readTextFile(specPath));
  let batches = 0;
  const t0 = performance.now();
  const result = await runPipeline(spec, {
    inputRoot: root,
    outputRoot: root,
    onProgress() {
      batches++;
      if (batches === 1 || batches % every === 0) console.log(line(`batch ${batches}`));
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(line("end"));
  console.log(
    `${result.status}: ${result.counts.written} rows in ${seconds.toFixed(2)} s ` +
      `(${Math.round(result.counts.written / seconds)} rows/s), peak RSS ${peakRssMb()} MB`,
  );
  if (result.status !== "succeeded") Deno.exit(1);
}
