/**
 * The embedded queue: Deno KV queues, one process (Web Workers in it receive messages at once;
 * another process on the same KV file would only see them on a ~60 s poll, see DESIGN.md
 * "Scale"). The enqueue rides in the step's own atomic commit, so a step whose `check()` fails
 * enqueues nothing. Retries follow `backoffSchedule`; after the last one KV itself writes the
 * message to `["dead_steps", id]`, which a periodic check hands to `onDead`.
 * @module
 */
import { userMessage } from "../etl/errors.ts";
import {
  type DeadLetterHandler,
  type EnqueueOptions,
  type JobQueue,
  StepMessage,
} from "./job_queue.ts";
import { BOOKKEEPING_TTL_MS, DEAD_STEP_REASONS, DEAD_STEPS } from "./_queue_keys.ts";
import { deadReason, drainDeadSteps } from "./_queue_dead.ts";
import { startTicker, type Ticker } from "./_queue_ticker.ts";

/** Options of {@link createKvQueue}. */
export interface KvQueueOptions {
  /** Milliseconds before each retry of a failed step; default KV's own, 100 ms to 60 s. */
  backoffSchedule?: number[];
  /** How often `listen` looks for dead letters; default 5000 ms. */
  deadLetterCheckMs?: number;
  /** Where operational warnings go; default `console.warn`. */
  log?: (line: string) => void;
}

/** The KV adapter: a {@link JobQueue} plus the dead-letter check `listen` runs by itself. */
export interface KvJobQueue extends JobQueue {
  /** Hand dead letters to the `onDead` given to `listen` now; returns how many. */
  checkDead(): Promise<number>;
}

/** KV redelivers a handler still running after ~5 s (DESIGN.md); warn well before that. */
const SLOW_HANDLER_MS = 4_000;

/** A {@link JobQueue} on Deno KV queues. `kv.close()` stays the caller's job. */
export function createKvQueue(kv: Deno.Kv, options: KvQueueOptions = {}): KvJobQueue {
  const backoffSchedule = options.backoffSchedule ?? [100, 1000, 5000, 30000, 60000];
  const attempts = backoffSchedule.length + 1;
  const log = options.log ?? ((line: string) => console.warn(line));
  let onDeadHandler: DeadLetterHandler | undefined;
  let ticker: Ticker | undefined;
  let closed = false;
  const inFlight = new Set<Promise<void>>();

  const checkDead = () =>
    onDeadHandler ? drainDeadSteps(kv, onDeadHandler, log) : Promise.resolve(0);

  async function deliver(
    raw: unknown,
    handler: (msg: StepMessage) => Promise<void>,
  ): Promise<void> {
    const parsed = StepMessage.safeParse(raw);
    if (!parsed.success) {
      // Not ours (or from an older version): consuming it beats retrying it forever.
      log(`Ignored a queue message that is not a step message: ${JSON.stringify(raw)}`);
      return;
    }
    const msg = parsed.data;
    const started = Date.now();
    try {
      await handler(msg);
    } catch (err) {
      // Only the last failure's reason matters; KV does not say which attempt this was.
      await kv.set([DEAD_STEP_REASONS, msg.id], deadReason(attempts, err), {
        expireIn: BOOKKEEPING_TTL_MS,
      }).catch(() => {});
      throw err;
    } finally {
      const took = Date.now() - started;
      if (took > SLOW_HANDLER_MS) {
        log(`Step ${msg.id} took ${took} ms; KV redelivers steps running past ~5 s.`);
      }
    }
  }

  return {
    kind: "kv",
    stage(op: Deno.AtomicOperation, msg: StepMessage, opts: EnqueueOptions = {}): void {
      op.enqueue(msg, {
        delay: opts.delayMs ?? 0,
        keysIfUndelivered: [[DEAD_STEPS, msg.id]],
        backoffSchedule,
      });
    },
    published: () => Promise.resolve(),
    listen(handler, onDead): void {
      if (onDeadHandler) throw new Error("This queue is already listening.");
      onDeadHandler = onDead;
      kv.listenQueue((raw: unknown) => {
        // After close(), refuse: KV retries it later (in this or the next process).
        if (closed) throw new Error("The step queue is closing.");
        const work = deliver(raw, handler);
        const tracked = work.catch(() => {}).finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        return work;
      }).catch((err) => {
        if (!closed) log(`The KV queue listener stopped: ${userMessage(err)}`);
      });
      ticker = startTicker(
        checkDead,
        options.deadLetterCheckMs ?? 5_000,
        (err) => log(`Dead-letter check failed: ${userMessage(err)}`),
      );
      ticker.kick();
    },
    // Nothing can be pending with KV: the enqueue committed with the state or not at all.
    sweep: () => Promise.resolve(0),
    checkDead,
    async close(): Promise<void> {
      closed = true;
      await ticker?.stop();
      await Promise.all([...inFlight]);
    },
  };
}
