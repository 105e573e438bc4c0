/**
 * A run as stored in Deno KV: a state machine `queued → running → succeeded | failed |
 * cancelled` with its step number, cursor, sink checkpoint, counts and outcome. Rejected rows and
 * the prepared plan live under keys of their own so the record stays small (KV values ≤ 64 KiB).
 * @module
 */
import type { Manifest } from "../etl/manifest.ts";
import type { PreparedRun } from "../etl/steps.ts";
import type { Cursor, LoadResult, SinkState, Stage, StageCounts } from "../etl/types.ts";

/** Where a run is in its life. */
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

/** One run. */
export interface RunRecord {
  id: string;
  tenant: string;
  pipeline: string;
  status: RunStatus;
  /** The step the next message must carry; a message with another number changes nothing. */
  seq: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Set by every step's commit: the watchdog's evidence that the run is alive. */
  heartbeatAt?: string;
  /** Extractor position after the last committed step. */
  cursor: Cursor | null;
  /** The sink's checkpoint after the last committed step. */
  sink?: SinkState;
  /** All slices are read: the next step publishes. */
  readDone: boolean;
  /** The stages this pipeline has a step for (others pass rows through); missing on old runs. */
  stages?: Stage[];
  /** The run's basic report was made (its file is under the engine's analytics root). */
  report?: { generatedAt: string; checks: { id: string; status: string }[] };
  counts: StageCounts;
  rejectedByStage: Record<Stage, number>;
  /** Rejected rows kept (the rest are only counted). */
  rejectedKept: number;
  since?: string;
  highWater?: string;
  steps: number;
  output?: LoadResult;
  manifest?: Manifest;
  /** For users: one or a few sentences, never a stack trace. */
  error?: string;
  warnings: string[];
  /** A worker holds this step until `until` (ms since epoch): a duplicate delivery waits. */
  lease?: { owner: string; until: number };
  /** Rows the source said the run will read (a database count), for progress; unknown if absent. */
  total?: number;
  /** Requests and steps that failed and were tried again, with the latest reasons. */
  retries?: RetryLog;
  /** The process and consumer (`<pid>/<name>`) that committed the run's last step. */
  worker?: string;
  /** Times the run waited for a free slot of its tenant, or was resumed by the watchdog. */
  waits?: number;
  resumes?: number;
}

/** Retries of a run: how many, and the last few reasons in words (oldest first). */
export interface RetryLog {
  count: number;
  recent: string[];
}

/** `log` with `notes` added; keeps the last 10 reasons. */
export function addRetries(log: RetryLog | undefined, notes: string[]): RetryLog | undefined {
  if (notes.length === 0) return log;
  return {
    count: (log?.count ?? 0) + notes.length,
    recent: [...(log?.recent ?? []), ...notes].slice(-10),
  };
}

/** KV keys of run data. Every key starts with the tenant (DESIGN.md, Tenancy). */
export const runKeys = {
  run: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "runs", id],
  runs: (tenant: string): Deno.KvKey => ["tenants", tenant, "runs"],
  prepared: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "run_plans", id],
  /** The report's counters (analytics/), committed with each step. */
  analytics: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "run_analytics", id],
  rejected: (tenant: string, id: string, seq: number): Deno.KvKey => [
    "tenants",
    tenant,
    "run_rejected",
    id,
    seq,
  ],
  rejectedOf: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "run_rejected", id],
  /** Runs of a tenant holding one of its running slots. */
  slots: (tenant: string): Deno.KvKey => ["tenants", tenant, "run_slots"],
  /** System index of runs not yet final, for the watchdog (ids only, no tenant data). */
  active: (tenant: string, id: string): Deno.KvKey => ["system", "active_runs", tenant, id],
  actives: (): Deno.KvKey => ["system", "active_runs"],
  /**
   * System outbox of runs that ended and whose end was not yet announced (notifications):
   * written in the same commit that makes the run final, deleted by whoever announces it.
   */
  ended: (tenant: string, id: string): Deno.KvKey => ["system", "ended_runs", tenant, id],
  endeds: (): Deno.KvKey => ["system", "ended_runs"],
};

/** A new queued run. */
export function newRun(
  init: { id: string; tenant: string; pipeline: string; since?: string },
  now: Date,
): RunRecord {
  return {
    ...init,
    status: "queued",
    seq: 0,
    createdAt: now.toISOString(),
    cursor: null,
    readDone: false,
    counts: { read: 0, normalized: 0, mapped: 0, valid: 0, written: 0, rejected: 0 },
    rejectedByStage: { read: 0, normalized: 0, mapped: 0, valid: 0, written: 0 },
    rejectedKept: 0,
    steps: 0,
    warnings: [],
  };
}

/** Whether a run has ended. */
export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** The stored plan of a run: spec and prepared configs, secrets sealed when the deployment has a vault. */
export interface StoredPlan {
  spec: unknown;
  prepared?: PreparedRun;
}
