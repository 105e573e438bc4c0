/**
 * Dead letters → `onDead`, shared by both queue adapters. A dead letter is the message at
 * `["dead_steps", id]` (written by Deno KV itself through `keysIfUndelivered`, or by the BullMQ
 * adapter when a job ends in its failed set). Each is handed to `onDead` exactly once even with
 * several sweepers: a sweeper first claims it in an atomic commit, and deletes it only after
 * `onDead` returned; if `onDead` throws, the claim is dropped and the next sweep tries again.
 * @module
 */
import { userMessage } from "../etl/errors.ts";
import { type DeadLetterHandler, StepMessage } from "./job_queue.ts";
import { DEAD_STEP_CLAIMS, DEAD_STEP_REASONS, DEAD_STEPS } from "./_queue_keys.ts";

/** Longer than any sane `onDead`: a claim older than this is taken over by another sweeper. */
const CLAIM_MS = 60_000;

/** Reason given when the adapter recorded none (e.g. the process died before writing it). */
const NO_REASON = "The step kept failing and gave up after its last retry.";

/**
 * Hand every dead letter in `kv` to `onDead` once and delete it; returns how many were handed
 * over. Entries that are not step messages are logged and deleted.
 */
export async function drainDeadSteps(
  kv: Deno.Kv,
  onDead: DeadLetterHandler,
  log: (line: string) => void,
): Promise<number> {
  let handed = 0;
  for await (const entry of kv.list({ prefix: [DEAD_STEPS] })) {
    const id = entry.key[1];
    const parsed = StepMessage.safeParse(entry.value);
    if (!parsed.success) {
      log(`Dropped a dead letter at ${JSON.stringify(entry.key)} that is not a step message.`);
      await kv.delete(entry.key);
      continue;
    }
    const claimKey = [DEAD_STEP_CLAIMS, id];
    const claim = await kv.get<number>(claimKey);
    if (claim.value !== null && claim.value > Date.now()) continue;
    const claimed = await kv.atomic().check(entry).check(claim)
      .set(claimKey, Date.now() + CLAIM_MS, { expireIn: CLAIM_MS * 2 }).commit();
    if (!claimed.ok) continue;
    const reason = (await kv.get<string>([DEAD_STEP_REASONS, id])).value ?? NO_REASON;
    try {
      await onDead(parsed.data, reason);
    } catch (err) {
      log(`Could not record the failed step ${parsed.data.id} (will retry): ${userMessage(err)}`);
      await kv.delete(claimKey);
      continue;
    }
    await kv.atomic().delete(entry.key).delete([DEAD_STEP_REASONS, id]).delete(claimKey).commit();
    handed++;
  }
  return handed;
}

/** The reason `onDead` receives for a step that failed `attempts` times, last with `err`. */
export function deadReason(attempts: number, err: unknown): string {
  const times = attempts === 1 ? "once" : `${attempts} times`;
  return `The step failed ${times} and gave up; last error: ${userMessage(err)}`;
}
