/**
 * An engine for tests: in-memory KV, the KV queue, a temporary folder for inputs and outputs,
 * private addresses allowed (tests serve on loopback).
 * @module
 */
import type { EngineDeps } from "./engine.ts";
import { createKvQueue } from "./kv_queue.ts";

/** A test engine and what to close. */
export interface TestEngine {
  deps: EngineDeps;
  /** The input and output folder. */
  dir: string;
  /** Close the queue and KV, remove the folder. */
  close(): Promise<void>;
}

/**
 * Open a test engine whose steps read at most `rows` rows.
 *
 * @example
 * ```ts
 * const e = await testEngine({ rows: 100 });
 * try { … } finally { await e.close(); }
 * ```
 */
export async function testEngine(options: { rows?: number } = {}): Promise<TestEngine> {
  const kv = await Deno.openKv(":memory:");
  const dir = await Deno.makeTempDir();
  const queue = createKvQueue(kv);
  return {
    deps: {
      kv,
      queue,
      inputRoot: dir,
      outputRoot: dir,
      allowPrivateNetwork: true,
      budget: { rows: options.rows ?? 1000, ms: 2000 },
    },
    dir,
    async close() {
      await queue.close();
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * A pipeline spec copying `people.csv` (in the input folder) to `<name>.ndjson` unchanged.
 *
 * @example
 * ```ts
 * await startRun(e.deps, { tenant: "t1", spec: csvCopySpec("copy", 50) });
 * ```
 */
export function csvCopySpec(name: string, batchSize: number): Record<string, unknown> {
  return {
    version: 1,
    name,
    source: { type: "csv", path: "people.csv" },
    transforms: [],
    output: { format: "ndjson" },
    repository: { type: "file", path: `${name}.ndjson` },
    options: { batchSize },
  };
}
