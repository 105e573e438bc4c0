/**
 * The live part of the run page: status, progress, the stage funnel with its sentence, error,
 * warnings, retries, the output with its Download link, the Cancel / Run again buttons, and
 * the facts card (times, who started it).
 * The server renders it for the first paint; the `run_status` island renders the same
 * component again each time it polls, so both always agree. Bars are SVG `width` attributes
 * and `<progress>` values: the CSP forbids `style=` attributes.
 * @module
 */
import { Alert, Csrf, StatusBadge } from "./ui.tsx";
import { RunFacts } from "./RunFacts.tsx";
import {
  formatBytes,
  formatDuration,
  FUNNEL,
  funnelSentence,
  hasEnded,
  num,
  rejectedText,
  runDuration,
  type RunView,
} from "./run_text.ts";

/** What the live part needs; the island gets the same from the page's JSON block. */
export interface RunLiveProps {
  run: RunView;
  /** Editors and owners see Cancel and Run again. */
  canEdit: boolean;
  csrf: string;
  /** The run writes a file this server can hand out (file repository). */
  downloadable: boolean;
  /** "Now" in ms, for the duration of a running run (the server's clock when known). */
  now: number;
  /** Live updates stopped after repeated failures (island only). */
  stale?: boolean;
}

/** The line under the status badge: what is happening and for how long. */
export function statusLine(status: string, took: number | undefined): string {
  const time = took === undefined ? undefined : formatDuration(took);
  switch (status) {
    case "queued":
      return "Waiting for a free slot to start.";
    case "running":
      return time ? `Running for ${time}.` : "Running now.";
    case "succeeded":
      return time ? `Finished successfully in ${time}.` : "Finished successfully.";
    case "failed":
      return time ? `Stopped with an error after ${time}.` : "Stopped with an error.";
    case "cancelled":
      return time ? `Cancelled after ${time}.` : "Cancelled before it started.";
    default:
      return "";
  }
}

const ANNOUNCE: Record<string, string> = {
  queued: "The run is waiting to start.",
  running: "The run is running.",
  succeeded: "The run has succeeded.",
  failed: "The run has failed.",
  cancelled: "The run was cancelled.",
};

/** The live part of the run page. */
export function RunLive(props: RunLiveProps) {
  const { run } = props;
  const ended = hasEnded(run.status);
  const took = runDuration(run, props.now);
  return (
    <>
      <section class="card run-live" aria-labelledby="run-status-title">
        <div class="run-live-head">
          <div>
            <h2 id="run-status-title" class="run-status-title">
              Status <StatusBadge status={run.status} />
            </h2>
            <p class="run-status-line">{statusLine(run.status, took)}</p>
            {/* Announced when the status changes; the ticking duration above is not. */}
            <p class="visually-hidden" role="status">{ANNOUNCE[run.status] ?? ""}</p>
          </div>
          {props.canEdit && <RunActions id={run.id} ended={ended} csrf={props.csrf} />}
        </div>
        {!ended && <RunProgress run={run} />}
        {props.stale && (
          <Alert kind="info">
            Live updates stopped: the server did not answer. <a href="">Reload the page</a>{" "}
            to see the latest status.
          </Alert>
        )}
        {run.status === "failed" && run.error && (
          <Alert kind="error">
            <strong>Why it failed:</strong> {run.error}
          </Alert>
        )}
        <h3>Rows at each stage</h3>
        <Funnel run={run} />
        {run.warnings.length > 0 && (
          <Alert kind="info">
            <strong>Worth knowing:</strong>
            <ul class="plain-list">{run.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
          </Alert>
        )}
        {run.retries.count > 0 && (
          <details class="retries">
            <summary>
              {num(run.retries.count)} {run.retries.count === 1 ? "step was" : "steps were"}{" "}
              tried again (network or server hiccups)
            </summary>
            <ul>{run.retries.recent.map((r, i) => <li key={i}>{r}</li>)}</ul>
          </details>
        )}
        <RunOutput run={run} downloadable={props.downloadable} />
      </section>
      <RunFacts run={run} now={props.now} />
    </>
  );
}

function RunActions(props: { id: string; ended: boolean; csrf: string }) {
  return (
    <div class="actions">
      {props.ended
        ? (
          <form method="post" action={`/app/runs/${props.id}/rerun`}>
            <Csrf token={props.csrf} />
            <button type="submit" class="secondary">Run again</button>
          </form>
        )
        : (
          <form method="post" action={`/app/runs/${props.id}/cancel`}>
            <Csrf token={props.csrf} />
            <button type="submit" class="danger">Cancel run</button>
          </form>
        )}
    </div>
  );
}

function RunProgress(props: { run: RunView }) {
  const p = props.run.progress;
  const label = p.percent !== null
    ? `${p.percent}% · ${num(p.rowsRead)} of ${num(p.total ?? 0)} rows read`
    : p.readDone
    ? `All ${num(p.rowsRead)} rows read; saving the output`
    : props.run.status === "queued"
    ? "Not started yet"
    : `${num(p.rowsRead)} rows read so far (step ${num(p.steps)})`;
  return (
    <div class="run-progress">
      {p.percent !== null
        ? (
          <progress
            id="run-progress"
            max={100}
            value={p.percent}
            aria-describedby="run-progress-label"
          />
        )
        : <progress id="run-progress" aria-describedby="run-progress-label" />}
      <p class="help" id="run-progress-label">{label}</p>
    </div>
  );
}

/** Rows per stage as bars, rejected apart, and the sentence that adds them up. */
export function Funnel(
  props: { run: Pick<RunView, "id" | "status" | "counts" | "rejectedByStage" | "stages"> },
) {
  const stages = props.run.stages;
  const { counts } = props.run;
  const width = (n: number) =>
    counts.read > 0 ? Math.max(n > 0 ? 0.5 : 0, (n / counts.read) * 100) : 0;
  return (
    <div class="run-funnel">
      <ol class="funnel" aria-label="Rows at each stage">
        {FUNNEL.map((f) => (
          <li class="funnel-row" data-stage={f.stage}>
            <span class="funnel-label">
              {f.title}
              <small>
                {stages && !stages.includes(f.stage)
                  ? "no step for this in the pipeline: rows pass through"
                  : f.help}
              </small>
            </span>
            <Bar width={width(counts[f.stage])} />
            <span class="funnel-count num">{num(counts[f.stage])}</span>
          </li>
        ))}
      </ol>
      <div class="funnel-row funnel-rejected" data-stage="rejected">
        <span class="funnel-label">
          Rejected
          <small>could not be used</small>
        </span>
        <Bar width={width(counts.rejected)} rejected />
        <span class="funnel-count num">{num(counts.rejected)}</span>
      </div>
      {counts.rejected > 0 && (
        <p class="help funnel-where">
          {rejectedText(props.run.rejectedByStage, counts.rejected)}.{" "}
          {/* Another URL (not just #rejected): the list is drawn by the server, so this reloads. */}
          <a href={`/app/runs/${props.run.id}?page=1#rejected`}>See the rows and why</a>
        </p>
      )}
      <p class="funnel-sentence">{funnelSentence(props.run)}</p>
    </div>
  );
}

function Bar(props: { width: number; rejected?: boolean }) {
  return (
    <svg
      class={`funnel-track${props.rejected ? " rejected" : ""}`}
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
      focusable="false"
    >
      <rect width={props.width.toFixed(2)} height="10" rx="1" />
    </svg>
  );
}

function RunOutput(props: { run: RunView; downloadable: boolean }) {
  const out = props.run.output;
  if (!out) return null;
  const canDownload = props.downloadable && props.run.status === "succeeded";
  return (
    <div class="run-output">
      <h3>Output</h3>
      <dl class="facts facts-stack">
        <dt>Saved to</dt>
        <dd class="mono">{out.location}</dd>
        <dt>Records</dt>
        <dd>{num(out.records)}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(out.bytes)}</dd>
        {out.checksum && (
          <>
            <dt>Checksum</dt>
            <dd class="mono">{out.checksum}</dd>
          </>
        )}
      </dl>
      {canDownload && (
        <p class="run-download">
          <a class="button" href={`/api/v1/runs/${props.run.id}/output`} download>
            Download the output file
          </a>
        </p>
      )}
    </div>
  );
}
