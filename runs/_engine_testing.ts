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
