/**
 * The minute tick that turns cron schedules into runs. Every process may tick (there is no
 * leader): a due minute is claimed with an atomic KV check on
 * `["schedule_fired", tenant, pipeline, dueAt]`, so of any number of processes ticking at once
 * exactly one enqueues it. A tick looks back a few minutes, so a short outage or a late tick
 * still fires the latest missed minute (once; older misses are not replayed).
 * @module
 */
import { userMessage } from "../etl/errors.ts";
import { type CronSchedule, nextRun, parseCron } from "./cron.ts";
import { retryLocked } from "./_kv.ts";

/** A pipeline's schedule as stored with the pipeline. */
export interface ScheduledPipeline {
  tenant: string;
  pipelineId: string;
  /** A 5-field cron expression in UTC (see cron.ts). */
  cron: string;
  /** Ignore due minutes before this (when the schedule was created or changed). */
  notBefore?: Date;
}

/** Creates the run of a due schedule; must be atomic, so a throw means nothing was enqueued. */
export type EnqueueScheduled = (schedule: ScheduledPipeline, dueAt: Date) => Promise<void>;

/** What one tick did, for logs and the health page. */
export interface TickResult {
  enqueued: { schedule: ScheduledPipeline; dueAt: Date }[];
  /** Schedules whose cron is invalid or whose enqueue threw, with a readable reason. */
  failed: { schedule: ScheduledPipeline; error: string }[];
}

/** Minutes a tick looks back for a due minute not yet fired. */
export const DEFAULT_WINDOW_MINUTES = 5;

const MINUTE = 60_000;

/**
 * The latest minute the schedule fires at or before `now`, if it lies within the last
 * `windowMinutes` minutes (after `now - windowMinutes`).
 */
export function dueMinute(
  schedule: CronSchedule,
  now: Date,
  windowMinutes: number,
): Date | undefined {
  let due: Date | undefined;
  let at = new Date(now.getTime() - windowMinutes * MINUTE);
  for (;;) {
    at = nextRun(schedule, at);
    if (at.getTime() > now.getTime()) return due;
    due = at;
  }
}

/**
 * Enqueue every schedule that is due at `now` and not yet claimed, each exactly once across
 * all processes sharing `kv`. When `enqueue` throws, the claim is released so a later tick
 * within the window tries again. Never throws for one bad schedule: it lands in `failed`.
 */
export async function tickSchedules(
  kv: Deno.Kv,
  schedules: readonly ScheduledPipeline[],
  now: Date,
  enqueue: EnqueueScheduled,
  { windowMinutes = DEFAULT_WINDOW_MINUTES }: { windowMinutes?: number } = {},
): Promise<TickResult> {
  const result: TickResult = { enqueued: [], failed: [] };
  for (const schedule of schedules) {
    let dueAt: Date | undefined;
    try {
      dueAt = dueMinute(parseCron(schedule.cron), now, windowMinutes);
    } catch (err) {
      result.failed.push({ schedule, error: userMessage(err) });
      continue;
    }
    if (dueAt === undefined) continue;
    if (schedule.notBefore && dueAt.getTime() < schedule.notBefore.getTime()) continue;
    const key = ["schedule_fired", schedule.tenant, schedule.pipelineId, dueAt.toISOString()];
    const token = crypto.randomUUID();
    try {
      if (!await claim(kv, key, token, now, windowMinutes)) continue;
    } catch (err) {
      result.failed.push({ schedule, error: userMessage(err) });
      continue;
    }
    try {
      await enqueue(schedule, dueAt);
      result.enqueued.push({ schedule, dueAt });
    } catch (err) {
      await release(kv, key, token).catch(() => {});
      result.failed.push({ schedule, error: userMessage(err) });
    }
  }
  return result;
}

function claim(kv: Deno.Kv, key: Deno.KvKey, token: string, now: Date, windowMinutes: number) {
  // Kept well past the window, so no later tick can see the minute as unclaimed.
  const expireIn = (windowMinutes + 60) * MINUTE;
  return retryLocked(async () => {
    const done = await kv.atomic().check({ key, versionstamp: null })
      .set(key, { token, at: now.toISOString() }, { expireIn }).commit();
    // A commit reported as failed may still have applied: our own token means it is ours.
    return done.ok || (await kv.get<{ token: string }>(key)).value?.token === token;
  });
}

function release(kv: Deno.Kv, key: Deno.KvKey, token: string) {
  return retryLocked(async () => {
    const entry = await kv.get<{ token: string }>(key);
    if (entry.value?.token === token) await kv.atomic().check(entry).delete(key).commit();
  });
}

/** Time for the scheduler; tests pass a fake one. */
export interface SchedulerClock {
  now(): Date;
  /** Resolve after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The wall clock and real timers. */
export const systemClock: SchedulerClock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
    }),
};

/** Options of {@link startScheduler}. */
export interface SchedulerOptions {
  kv: Deno.Kv;
  /** The current schedules, read afresh each minute. */
  schedules: () => readonly ScheduledPipeline[] | Promise<readonly ScheduledPipeline[]>;
  enqueue: EnqueueScheduled;
  windowMinutes?: number;
  clock?: SchedulerClock;
  /** Called after every tick (logs, metrics). */
  onTick?: (result: TickResult, now: Date) => void;
  /** Called when a whole tick failed (schedules could not be read); the next tick goes on. */
  onError?: (err: unknown) => void;
}

// Ticks land just after the minute: a timer firing a hair early by the wall clock must not
// still see the previous minute.
const ALIGN_DELAY_MS = 50;

/**
 * Tick now (catching up after a restart), then just after every minute, until `close()`,
 * which waits for a running tick to finish.
 */
export function startScheduler(options: SchedulerOptions): { close(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  const onError = options.onError ??
    ((err: unknown) => console.error(`Scheduler tick failed: ${userMessage(err)}`));
  const stop = new AbortController();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      const now = clock.now();
      try {
        const result = await tickSchedules(
          options.kv,
          await options.schedules(),
          now,
          options.enqueue,
          { windowMinutes: options.windowMinutes },
        );
        options.onTick?.(result, now);
      } catch (err) {
        onError(err);
      }
      if (stop.signal.aborted) break;
      const wait = MINUTE - (clock.now().getTime() % MINUTE) + ALIGN_DELAY_MS;
      await clock.sleep(wait, stop.signal);
    }
  })();
  return {
    close: async () => {
      stop.abort();
      await loop;
    },
  };
}
