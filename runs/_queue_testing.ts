/**
 * Helpers for the queue adapters' tests: step messages and waiting for an outcome.
 * @module
 */
import type { StepMessage } from "./job_queue.ts";

/** A step message of run `run` at step `seq`, id `<run>:<seq>` as the engine makes them. */
export function step(run: string, seq = 0): StepMessage {
  return { kind: "step", id: `${run}:${seq}`, tenant: "t1", run, seq };
}

/** Resolve once `done()` holds; reject with `what` after `timeoutMs`. */
export async function waitFor(
  done: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Let `ms` pass, e.g. to see that nothing more arrives. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
