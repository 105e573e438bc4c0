/**
 * Outbound run notifications, wired: the engine writes `["system", "ended_runs", tenant, run]`
 * in the commit that ends a run (an outbox); this loop takes each entry, and when the run's
 * saved pipeline has a notification URL it POSTs the signed document of `triggers/notify.ts`
 * there. The outcome goes under `["tenants", tenant, "run_notifications", run]` in the same
 * commit that deletes the outbox entry. The run record itself is never touched, so a failed
 * notification never changes a run's status.
 *
 * Every process may run the loop. An entry is claimed first (an atomic check on the entry,
 * rewritten with a claim that lapses after `claimMs`), so of several loops one sends; a claimer
 * that crashed is replaced once its claim lapses. Delivery is at least once: a receiver drops
 * duplicates by the `X-PyxGen-Delivery` header.
 * @module
 */
import { userMessage } from "../etl/errors.ts";
import { runKeys, type RunRecord } from "../runs/run_record.ts";
import { retryLocked } from "../triggers/_kv.ts";
import {
  type NotifyOptions,
  type NotifyResult,
  notifyRun,
  type RunNotification,
} from "../triggers/notify.ts";
import { type SchedulerClock, systemClock } from "../triggers/schedule.ts";
import { type RunOrigin, runOriginKey } from "./start.ts";
import { getPipeline } from "./store.ts";

/** What a run shows about its notification. */
export interface NotificationRecord {
  delivered: boolean;
  /** Requests sent. */
  attempts: number;
  /** HTTP status of the last answer, null when none came. */
  status: number | null;
  /** Why it was not delivered (never the URL's path or a secret); null when delivered. */
  lastError: string | null;
  /** When the outcome was recorded, ISO 8601. */
  at: string;
}

/** The document sent: {@link RunNotification} plus the saved pipeline's id. */
export type RunAnnouncement = RunNotification & { pipelineId: string };

/** KV key of a run's notification outcome. */
export const notificationKey = (tenant: string, runId: string): Deno.KvKey => [
  "tenants",
  tenant,
  "run_notifications",
  runId,
];

/** An outbox entry as the engine writes it, with this loop's claim once taken. */
interface Outbox {
  at?: string;
  claim?: { token: string; until: number };
}

/** Options of {@link announceEnded} and {@link startNotifier}. */
export interface NotifierOptions {
  kv: Deno.Kv;
  /** Base of the report link, e.g. `https://portal.example.org`; no link when missing. */
  publicUrl?: string;
  /** Whether notification URLs may point to private, loopback or link-local addresses. */
  allowPrivateNetwork: boolean;
  /** Passed to `notifyRun` (attempts, backoff, timeout; tests shorten them). */
  notify?: Omit<NotifyOptions, "allowPrivateNetwork">;
  /**
   * How long a claim holds: longer than the slowest `notifyRun` (4 attempts of 10 s plus
   * backoff, or Retry-After waits of up to a minute). Default 5 minutes.
   */
  claimMs?: number;
  /** Notifications sent at once. Default 4. */
  concurrency?: number;
  /** Outbox entries one pass takes at most. Default 100. */
  batch?: number;
}

/** What a pass did with one ended run. */
export interface Announced {
  tenant: string;
  run: string;
  outcome:
    /** Sent (or tried): `result` says how it went. */
    | "sent"
    /** The run's pipeline has no notification URL: the entry was dropped, nothing sent. */
    | "none"
    /** Another process holds the entry, or took it over meanwhile. */
    | "skipped"
    /** Something went wrong reading KV; the claim lapses and a later pass tries again. */
    | "error";
  result?: NotifyResult;
  error?: string;
}

const DEFAULT_CLAIM_MS = 5 * 60_000;

/**
 * One pass over the outbox: announce every ended run no other process is announcing. Never
 * throws for one run; it lands in the result with outcome `error`.
 */
export async function announceEnded(
  options: NotifierOptions,
  signal?: AbortSignal,
): Promise<Announced[]> {
  const { kv, concurrency = 4, batch = 100 } = options;
  const pending: Deno.KvEntry<Outbox>[] = [];
  // Collected first: no list iterator stays open while notifications go out.
  for await (const e of kv.list<Outbox>({ prefix: runKeys.endeds() }, { limit: batch })) {
    if (!e.value?.claim || e.value.claim.until <= Date.now()) pending.push(e);
  }
  const out: Announced[] = [];
  const next = async (): Promise<void> => {
    for (let e = pending.shift(); e && !signal?.aborted; e = pending.shift()) {
      out.push(await announceOne(options, e, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, next));
  return out;
}

async function announceOne(
  options: NotifierOptions,
  entry: Deno.KvEntry<Outbox>,
  signal?: AbortSignal,
): Promise<Announced> {
  const { kv } = options;
  const [, , tenant, run] = entry.key as [string, string, string, string];
  const token = crypto.randomUUID();
  const until = Date.now() + (options.claimMs ?? DEFAULT_CLAIM_MS);
  try {
    const claimed = await retryLocked(() =>
      kv.atomic().check(entry).set(entry.key, { ...entry.value, claim: { token, until } }).commit()
    );
    if (!claimed.ok) return { tenant, run, outcome: "skipped" };
    const held = { key: entry.key, versionstamp: claimed.versionstamp };
    const target = await notificationTarget(kv, tenant, run);
    if (!target) {
      await retryLocked(() => kv.atomic().check(held).delete(entry.key).commit());
      return { tenant, run, outcome: "none" };
    }
    const payload = announcement(target.run, target.pipelineId, options.publicUrl);
    const result = await notifyRun(target.url, target.secret, payload, {
      ...options.notify,
      allowPrivateNetwork: options.allowPrivateNetwork,
    });
    if (signal?.aborted && !result.delivered) {
      // Shutting down cut the attempts short: give the entry back for the next process.
      const { claim: _claim, ...unclaimed } = entry.value;
      await retryLocked(() => kv.atomic().check(held).set(entry.key, unclaimed).commit());
      return { tenant, run, outcome: "skipped" };
    }
    const record: NotificationRecord = {
      delivered: result.delivered,
      attempts: result.attempts,
      status: result.status ?? null,
      lastError: result.delivered ? null : result.lastError ?? null,
      at: new Date().toISOString(),
    };
    const done = await retryLocked(() =>
      kv.atomic().check(held).set(notificationKey(tenant, run), record).delete(entry.key)
        .commit()
    );
    // A failed check: our claim lapsed and another process took the entry over; it records.
    return { tenant, run, outcome: done.ok ? "sent" : "skipped", result };
  } catch (err) {
    return { tenant, run, outcome: "error", error: userMessage(err) };
  }
}

/** The run, its pipeline id and notification settings; undefined when there is nothing to send. */
async function notificationTarget(kv: Deno.Kv, tenant: string, runId: string) {
  const [runEntry, originEntry] = await kv.getMany<[RunRecord, RunOrigin]>([
    runKeys.run(tenant, runId),
    runOriginKey(tenant, runId),
  ]);
  const run = runEntry.value;
  const pipelineId = originEntry.value?.pipelineId;
  if (!run || !pipelineId) return undefined;
  const pipeline = await getPipeline(kv, tenant, pipelineId);
  if (!pipeline?.notify || !pipeline.notifySecret) return undefined;
  return { run, pipelineId, url: pipeline.notify.url, secret: pipeline.notifySecret };
}

/** The document announcing `run` (an ended run of the saved pipeline `pipelineId`). */
export function announcement(
  run: RunRecord,
  pipelineId: string,
  publicUrl: string | undefined,
): RunAnnouncement {
  const o = run.output;
  return {
    tenant: run.tenant,
    pipeline: run.pipeline,
    pipelineId,
    run: run.id,
    status: run.status as RunNotification["status"],
    counts: run.counts,
    output: o
      ? { location: o.location, records: o.records, bytes: o.bytes, checksum: o.checksum }
      : null,
    reportUrl: publicUrl ? `${publicUrl.replace(/\/+$/, "")}/runs/${run.id}` : null,
    at: run.finishedAt ?? new Date().toISOString(),
    ...(run.error ? { error: run.error } : {}),
  };
}

/** The notification outcomes of `runIds` of `tenant` (undefined where none was recorded). */
export async function runNotifications(
  kv: Deno.Kv,
  tenant: string,
  runIds: string[],
): Promise<(NotificationRecord | undefined)[]> {
  const out: (NotificationRecord | undefined)[] = [];
  // getMany reads at most 10 keys at a time.
  for (let i = 0; i < runIds.length; i += 10) {
    const keys = runIds.slice(i, i + 10).map((id) => notificationKey(tenant, id));
    for (const e of await kv.getMany<NotificationRecord[]>(keys)) out.push(e.value ?? undefined);
  }
  return out;
}

/** Options of {@link startNotifier}. */
export interface NotifierLoopOptions extends NotifierOptions {
  /** Pause between passes. Default 2 s. */
  intervalMs?: number;
  clock?: SchedulerClock;
  /** Called after every pass that did something (logs). */
  onPass?: (announced: Announced[]) => void;
  /** Called when a whole pass failed (the outbox could not be read); the next pass goes on. */
  onError?: (err: unknown) => void;
}

/**
 * Announce ended runs now and then every `intervalMs` until `close()`, which cuts waiting
 * retries short, gives unfinished entries back and waits for the pass to end.
 */
export function startNotifier(options: NotifierLoopOptions): { close(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  const onError = options.onError ??
    ((err: unknown) => console.error(`Notifier pass failed: ${userMessage(err)}`));
  const stop = new AbortController();
  const send = options.notify?.fetch ?? fetch;
  const notify: NotifierOptions["notify"] = {
    ...options.notify,
    // On close: waits end at once and requests are aborted, so the pass ends quickly.
    sleep: (ms) => stop.signal.aborted ? Promise.resolve() : clock.sleep(ms, stop.signal),
    fetch: (input, init) =>
      stop.signal.aborted ? Promise.reject(new Error("the notifier is closing")) : send(input, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, stop.signal]) : stop.signal,
      }),
  };
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        const announced = await announceEnded({ ...options, notify }, stop.signal);
        if (announced.length > 0) options.onPass?.(announced);
      } catch (err) {
        onError(err);
      }
      if (stop.signal.aborted) break;
      await clock.sleep(options.intervalMs ?? 2_000, stop.signal);
    }
  })();
  return {
    close: async () => {
      stop.abort();
      await loop;
    },
  };
}
