/**
 * A run in words, shared by the server-rendered run page and the `run_status` island (so both
 * say the same thing): the stage funnel's labels, the sentence that shows every source row is
 * accounted for, times, durations, sizes and who started the run. Pure functions, no imports
 * that would pull server code into the browser bundle.
 * @module
 */
import type { runView } from "../routes/views.ts";
import type { Stage } from "../etl/types.ts";

/** A run as `GET /api/v1/runs/:id` answers it. */
export type RunView = ReturnType<typeof runView>;

/** The stages in pipeline order, with what each means for a clinic data manager. */
export const FUNNEL: readonly { stage: Stage; title: string; help: string }[] = [
  { stage: "read", title: "Read", help: "rows read from the source" },
  { stage: "normalized", title: "Normalized", help: "cleaned up: dates, codes, spaces" },
  { stage: "mapped", title: "Mapped", help: "turned into the output's shape (e.g. FHIR)" },
  { stage: "valid", title: "Valid", help: "passed the checks" },
  { stage: "written", title: "Written", help: "ready in the destination" },
];

/** Where a row was rejected, as the sentence says it: "rejected at normalize". */
export const REJECTED_AT: Record<Stage, string> = {
  read: "read",
  normalized: "normalize",
  mapped: "mapping",
  valid: "validation",
  written: "write",
};

/** A count with thousands separators. */
export const num = (n: number): string => n.toLocaleString("en-US");

const rows = (n: number) => `${num(n)} ${n === 1 ? "row" : "rows"}`;

/** "1 rejected at normalize" or "5 rejected (2 at normalize, 3 at validation)". */
export function rejectedText(byStage: Record<Stage, number>, total: number): string {
  const parts = FUNNEL.filter((f) => byStage[f.stage] > 0)
    .map((f) => ({ n: byStage[f.stage], at: REJECTED_AT[f.stage] }));
  if (total === 0 || parts.length === 0) return `${num(total)} rejected`;
  if (parts.length === 1) return `${num(total)} rejected at ${parts[0].at}`;
  return `${num(total)} rejected (${parts.map((p) => `${num(p.n)} at ${p.at}`).join(", ")})`;
}

/**
 * The sentence under the funnel, e.g. "115 rows read: 114 written, 1 rejected at normalize."
 * Rows read always equal rows written plus rows rejected (etl/counts.ts), so it adds up.
 */
export function funnelSentence(
  run: Pick<RunView, "status" | "counts" | "rejectedByStage">,
): string {
  const { counts, status } = run;
  if (counts.read === 0) {
    if (status === "queued") return "Waiting for its turn: no rows read yet.";
    if (status === "running") return "Starting: no rows read yet.";
    if (status === "failed") return "No rows were read before the run failed.";
    if (status === "cancelled") return "No rows were read before the run was cancelled.";
    return "No rows were read: the source was empty.";
  }
  const rest = counts.read - counts.written - counts.rejected;
  const parts = [`${num(counts.written)} written`];
  if (counts.rejected > 0 || status === "succeeded") {
    parts.push(rejectedText(run.rejectedByStage, counts.rejected));
  }
  if (rest > 0) parts.push(`${num(rest)} not accounted for`);
  const read = `${rows(counts.read)} read${status === "running" ? " so far" : ""}`;
  const sentence = `${read}: ${parts.join(", ")}.`;
  if (status === "failed") return `${sentence} Nothing was saved because the run failed.`;
  if (status === "cancelled") return `${sentence} Nothing was saved because the run was cancelled.`;
  return sentence;
}

/** "26 Nov 2026, 14:30:07 UTC" (UTC, so the server and the browser print the same). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  const month = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCDate()} ${month[d.getUTCMonth()]} ${d.getUTCFullYear()}, ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** "0.4 s", "12 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** How long the run took (or has taken so far); undefined before it started. */
export function runDuration(
  run: Pick<RunView, "startedAt" | "finishedAt">,
  now = Date.now(),
): number | undefined {
  if (!run.startedAt) return undefined;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return end - Date.parse(run.startedAt);
}

/** "12.3 KB" style sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Who or what started the run, as a phrase: "ana@clinic.org", "the schedule", "a webhook". */
export function startedByText(run: Pick<RunView, "startedBy" | "trigger">): string {
  if (run.startedBy) return run.startedBy;
  if (run.trigger === "schedule") return "the schedule";
  if (run.trigger === "webhook") return "a webhook call";
  if (run.trigger === "rerun") return "a re-run";
  return "unknown";
}

/** Whether the run has ended (nothing about it changes any more). */
export function hasEnded(status: string): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}
