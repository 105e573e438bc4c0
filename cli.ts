/**
 * The command line: `deno task etl run|convert|list`. Progress goes to stderr; the result JSON
 * goes to stdout; the exit code is 0 only when the run succeeded.
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "./cli/args.ts";
import { convertSpec } from "./cli/convert.ts";
import { describeFields } from "./cli/list.ts";
import { loadHighWater, saveHighWater } from "./cli/state.ts";
import { connectionContext, listCatalog, testConnection } from "./etl/connections.ts";
import { userMessage } from "./etl/errors.ts";
import { EXTRACTORS } from "./etl/extract/mod.ts";
import { FORMATS } from "./etl/format/mod.ts";
import { LOADERS } from "./etl/load/mod.ts";
import { type Progress, runPipeline, type RunResult } from "./etl/pipeline.ts";
import { TRANSFORMERS } from "./etl/transform/mod.ts";
import { Env } from "./config.ts";
import { setNative } from "./native/ffi.ts";
import { setParquetThread } from "./etl/format/parquet.ts";

const USAGE = `Usage:
  deno task etl run <pipeline.json> [--input-root DIR] [--output-root DIR]
      [--state FILE] [--allow-private-network]
  deno task etl convert <input.csv|.json|.ndjson> --to fhir-patient|fhir-immunization|normalized
      [--preset synthea|generic] --format ndjson|json|csv|sql|parquet --out <path>
  deno task etl test <pipeline.json> [--allow-private-network]     test the source and repository connections
  deno task etl tables <pipeline.json> [--allow-private-network]   list the tables the source can read
  deno task etl list`;

function progressPrinter(): (p: Progress) => void {
  const start = performance.now();
  let last = 0;
  const tty = Deno.stderr.isTerminal();
  return ({ counts }) => {
    const now = performance.now();
    if (now - last < 500) return;
    last = now;
    const rate = Math.round(counts.read / ((now - start) / 1000));
    const line = `read ${counts.read.toLocaleString("en-US")} rows, written ${
      counts.written.toLocaleString("en-US")
    }, rejected ${counts.rejected.toLocaleString("en-US")} (${
      rate.toLocaleString("en-US")
    } rows/s)`;
    Deno.stderr.writeSync(new TextEncoder().encode(tty ? `\r${line}\x1b[K` : `${line}\n`));
  };
}

function report(result: RunResult): number {
  if (Deno.stderr.isTerminal()) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  for (const w of result.warnings) console.error(`WARNING: ${w}`);
  if (result.status === "failed") console.error(`FAILED: ${result.error}`);
  else if (result.rejected.total > 0) {
    console.error(`${result.rejected.total} row(s) were rejected; see "rejected" in the result`);
  }
  console.log(JSON.stringify(result, null, 2));
  return result.status === "succeeded" ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["allow-private-network"]);
  const allowPrivateNetwork = options.get("allow-private-network") === true;
  const [command, target] = positionals;
  // The portal's NATIVE and PARQUET_THREAD settings (config.ts) hold here too.
  for (
    const [name, apply] of [["NATIVE", setNative], ["PARQUET_THREAD", setParquetThread]] as const
  ) {
    const setting = Env.shape[name].safeParse(Deno.env.get(name));
    if (!setting.success) {
      console.error(`Bad setting ${name}="${Deno.env.get(name)}": use 1 or 0`);
      return 2;
    }
    apply(setting.data);
  }
  const opt = (name: string) => {
    const v = options.get(name);
    return typeof v === "string" ? v : undefined;
  };
  if (command === "list") {
    const list = (kind: string, entries: readonly Parameters<typeof describeFields>[0][]) =>
      entries.map((e) => {
        const { type, title, description } = e as unknown as Record<string, string>;
        return { kind, type, title, description, fields: describeFields(e) };
      });
    console.log(JSON.stringify(
      [
        ...list("source", EXTRACTORS),
        ...list("transform", TRANSFORMERS),
        ...list("format", FORMATS),
        ...list("repository", LOADERS),
      ],
      null,
      2,
    ));
    return 0;
  }
  if ((command === "test" || command === "tables") && target) {
    let spec: { source?: Record<string, unknown>; repository?: Record<string, unknown> };
    try {
      spec = JSON.parse(await Deno.readTextFile(target));
    } catch (err) {
      console.error(`Cannot read the pipeline "${target}": ${userMessage(err)}`);
      return 2;
    }
    const ctx = connectionContext({ allowPrivateNetwork });
    if (command === "tables") {
      const answer = await listCatalog(spec.source ?? {}, ctx);
      console.log(JSON.stringify(answer, null, 2));
      if (!answer.ok) console.error(`FAILED: ${answer.message}`);
      return answer.ok ? 0 : 1;
    }
    const source = await testConnection("source", spec.source ?? {}, ctx);
    const repository = await testConnection("repository", spec.repository ?? {}, ctx);
    console.error(`source: ${source.ok ? "OK" : "FAILED"}: ${source.message}`);
    console.error(`repository: ${repository.ok ? "OK" : "FAILED"}: ${repository.message}`);
    console.log(JSON.stringify({ source, repository }, null, 2));
    return source.ok && repository.ok ? 0 : 1;
  }
  if (command === "run" && target) {
    let spec: unknown;
    try {
      spec = JSON.parse(await Deno.readTextFile(target));
    } catch (err) {
      console.error(`Cannot read the pipeline "${target}": ${userMessage(err)}`);
      return 2;
    }
    const statePath = opt("state");
    const name = (spec as { name?: unknown })?.name;
    const pipeline = typeof name === "string" ? name : "pipeline";
    try {
      const since = statePath ? await loadHighWater(statePath, pipeline) : undefined;
      const result = await runPipeline(spec, {
        inputRoot: resolve(opt("input-root") ?? "."),
        outputRoot: resolve(opt("output-root") ?? "out"),
        onProgress: progressPrinter(),
        allowPrivateNetwork,
        since,
      });
      if (statePath && result.status === "succeeded" && result.highWater !== undefined) {
        await saveHighWater(statePath, pipeline, result.highWater, new Date(result.finishedAt));
      }
      return report(result);
    } catch (err) {
      console.error(userMessage(err));
      return 2;
    }
  }
  if (command === "convert" && target) {
    const to = opt("to");
    const format = opt("format");
    const out = opt("out");
    if (!to || !format || !out) {
      console.error(`convert needs --to, --format and --out\n${USAGE}`);
      return 2;
    }
    try {
      const { spec, inputRoot, outputRoot } = convertSpec({
        input: target,
        to,
        format,
        out,
        preset: opt("preset"),
      });
      return report(
        await runPipeline(spec, {
          inputRoot,
          outputRoot,
          onProgress: progressPrinter(),
          allowPrivateNetwork,
        }),
      );
    } catch (err) {
      console.error(userMessage(err));
      return 2;
    }
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
