/**
 * The scale-out queue: BullMQ over Redis, for several worker processes or machines (DESIGN.md
 * "Scale"). Run state stays in Deno KV, so the outbox becomes two moves: `stage()` commits a
 * pending-step record with the step's state, `published()` then adds the job (job id derived
 * from the step id, so BullMQ ignores a duplicate) and clears the record; `sweep()` re-adds the
 * records a crash left between the two. Jobs that exhaust their attempts (or keep stalling)
 * become KV dead letters, handed to `onDead` by the same sweeper as the KV adapter's.
 * @module
 */
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { RetriableError, userMessage } from "../etl/errors.ts";
import {
  type DeadLetterHandler,
  type EnqueueOptions,
  type JobQueue,
  StepMessage,
} from "./job_queue.ts";
import { PENDING_STEPS } from "./_queue_keys.ts";
import { type PendingStep, stagePending } from "./_queue_pending.ts";
import { drainDeadSteps } from "./_queue_dead.ts";
import { recordFailedJobs } from "./_queue_bullmq_failed.ts";
import { parseRedisUrl } from "./_queue_redis_url.ts";
import { startTicker, type Ticker } from "./_queue_ticker.ts";

/** Options of {@link createBullMqQueue}. */
export interface BullMqQueueOptions {
  /** `redis://[user:password@]host[:port][/db]`. */
  url: string;
  /** Namespace of this deployment's keys in Redis; default `pyxgen`. */
  prefix?: string;
  /** Steps one process runs at once (on its event loop); default 2. */
  concurrency?: number;
  /** Deliveries of a step before it becomes a dead letter; default 6. */
  attempts?: number;
  /** First retry delay, doubled each retry; default 1000 ms. */
  backoffMs?: number;
  /**
   * How long a worker owns a step without renewing it; a killed worker's step moves on to
   * another after about this long. Default 5000 ms.
   */
  lockDurationMs?: number;
  /** How often `listen` looks for dead letters; default 5000 ms. */
  deadLetterCheckMs?: number;
  /** Where operational warnings go; default `console.warn`. */
  log?: (line: string) => void;
}

/** The BullMQ adapter: a {@link JobQueue} plus the dead-letter check `listen` runs by itself. */
export interface BullMqJobQueue extends JobQueue {
  /** Turn failed jobs into dead letters and hand them to `onDead` now; returns how many. */
  checkDead(): Promise<number>;
}

const QUEUE_NAME = "steps";
/** How long `published()` waits for Redis before leaving the step to the sweeper. */
const ADD_TIMEOUT_MS = 5_000;

/** BullMQ refuses custom ids that contain ":" or look like integers; step ids have ":". */
export function jobIdOf(stepId: string): string {
  return `s_${stepId.replaceAll("%", "%25").replaceAll(":", "%3A")}`;
}

/** A {@link JobQueue} on BullMQ; `kv` holds the pending and dead-letter records. */
export function createBullMqQueue(kv: Deno.Kv, options: BullMqQueueOptions): BullMqJobQueue {
  const target = parseRedisUrl(options.url);
  const where = `${target.host}:${target.port}`;
  const prefix = options.prefix ?? "pyxgen";
  const attempts = options.attempts ?? 6;
  const lockDuration = options.lockDurationMs ?? 5_000;
  // BullMQ 6 takes constructed clients; the worker duplicates this one for its own connections.
  const redis = new Redis({ ...target, maxRetriesPerRequest: null });
  const log = logOncePerOutage(options.log ?? ((line: string) => console.warn(line)));
  redis.on("error", () => {}); // the queue reports it too
  redis.on("ready", log.reset);
  const queue = new Queue(QUEUE_NAME, {
    connection: redis,
    prefix,
    defaultJobOptions: {
      attempts,
      backoff: { type: "exponential", delay: options.backoffMs ?? 1_000 },
      // Completed ids stay an hour so a late duplicate add is ignored; failed ones stay until
      // checkDead() has recorded them as dead letters (it removes them then).
      removeOnComplete: { age: 3600, count: 50_000 },
      removeOnFail: false,
    },
  });
  queue.on("error", (err) => log(`Job queue at ${where}: ${userMessage(err)}`));
  let worker: Worker | undefined;
  let ticker: Ticker | undefined;
  let onDeadHandler: DeadLetterHandler | undefined;

  async function checkDead(): Promise<number> {
    await recordFailedJobs(queue, kv, log);
    return onDeadHandler ? await drainDeadSteps(kv, onDeadHandler, log) : 0;
  }

  async function published(msg: StepMessage, opts: EnqueueOptions = {}): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // BullMQ waits for Redis without limit; a caller (an HTTP request) must not.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer within 5 s")), ADD_TIMEOUT_MS);
      });
      const add = queue.add("step", msg, { jobId: jobIdOf(msg.id), delay: opts.delayMs ?? 0 });
      add.catch(() => {}); // after a timeout it may still fail; the sweeper covers it
      await Promise.race([add, timeout]);
    } catch (err) {
      throw new RetriableError(
        `Could not hand step ${msg.id} to the job queue at ${where} (${userMessage(err)}); ` +
          "it stays pending and the sweeper adds it again.",
      );
    } finally {
      clearTimeout(timer);
    }
    await kv.delete([PENDING_STEPS, msg.id]);
  }

  async function runJob(job: Job, handler: (msg: StepMessage) => Promise<void>) {
    const parsed = StepMessage.safeParse(job.data);
    if (!parsed.success) {
      log(`Ignored job ${job.id}: it is not a step message.`);
      return;
    }
    await handler(parsed.data);
  }

  return {
    kind: "bullmq",
    // No expiry: until published() or sweep() adds it, the pending record is the only copy.
    stage: stagePending,
    published,
    listen(handler, onDead): void {
      if (worker) throw new Error("This queue is already listening.");
      onDeadHandler = onDead;
      worker = new Worker(QUEUE_NAME, (job) => runJob(job, handler), {
        connection: redis,
        prefix,
        concurrency: options.concurrency ?? 2,
        lockDuration,
        // Look for lost locks twice per lock: a SIGKILLed worker's step moved on after ~5 s
        // here (a check per lock took ~10 s; BullMQ's default 30 s check, ~58 s).
        stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
        // One stall is a killed or restarted worker; more than two is a step that kills workers.
        maxStalledCount: 2,
      });
      worker.on("error", (err) => log(`Job worker at ${where}: ${userMessage(err)}`));
      worker.on("failed", (job) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) ticker?.kick();
      });
      ticker = startTicker(
        checkDead,
        options.deadLetterCheckMs ?? 5_000,
        (err) => log(`Dead-letter check failed: ${userMessage(err)}`),
      );
      ticker.kick();
    },
    async sweep(olderThanMs: number): Promise<number> {
      const now = Date.now();
      let added = 0;
      for await (const entry of kv.list<PendingStep>({ prefix: [PENDING_STEPS] })) {
        const { at, delayMs } = entry.value;
        if (now - at < olderThanMs) continue;
        const msg = StepMessage.safeParse(entry.value.msg);
        if (!msg.success) {
          log(`Dropped pending record ${JSON.stringify(entry.key)}: it is not a step message.`);
          await kv.delete(entry.key);
          continue;
        }
        await published(msg.data, { delayMs: Math.max(0, at + (delayMs ?? 0) - now) });
        added++;
      }
      return added;
    },
    checkDead,
    async close(): Promise<void> {
      await ticker?.stop();
      await worker?.close();
      await queue.close();
      // quit() would wait for a Redis that may be down; nothing is left to send.
      redis.disconnect();
    },
  };
}

/** A log that says each line once until `reset()` (Redis is back), not once per reconnect. */
function logOncePerOutage(log: (line: string) => void) {
  const said = new Set<string>();
  return Object.assign((line: string) => {
    if (said.has(line)) return;
    if (said.size >= 100) said.clear();
    said.add(line);
    log(line);
  }, { reset: () => said.clear() });
}
