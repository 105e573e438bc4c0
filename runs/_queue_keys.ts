/**
 * The KV keys both queue adapters share. Dead letters use the same keys whichever adapter
 * produced them, so one sweeper (see `_queue_dead.ts`) turns them into `onDead` calls.
 * @module
 */

/** `["dead_steps", id]` = the StepMessage that exhausted its retries (KV writes it itself). */
export const DEAD_STEPS = "dead_steps";
/** `["dead_step_reasons", id]` = the sentence `onDead` receives as its reason. */
export const DEAD_STEP_REASONS = "dead_step_reasons";
/** `["dead_step_claims", id]` = until when one sweeper owns that dead letter (epoch ms). */
export const DEAD_STEP_CLAIMS = "dead_step_claims";
/** `["dead_step_seen", id]` = a BullMQ failure already turned into a dead letter. */
export const DEAD_STEP_SEEN = "dead_step_seen";
/** `["pending_steps", id]` = a step committed in KV but not yet added to BullMQ. */
export const PENDING_STEPS = "pending_steps";

/** How long the bookkeeping of a failed step is kept: long enough for any sweeper to run. */
export const BOOKKEEPING_TTL_MS = 7 * 24 * 3600 * 1000;
