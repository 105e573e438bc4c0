/**
 * "About this run": pipeline, id, who or what started it, when it was queued, started and
 * finished, how long it took, how many steps. Part of the live region (RunLive.tsx), so the
 * times fill in as the run goes.
 * @module
 */
import {
  formatDuration,
  formatTime,
  num,
  runDuration,
  type RunView,
  startedByText,
} from "./run_text.ts";

/** How a member started it (shown after their name; webhooks and schedules name themselves). */
const HOW: Record<string, string> = {
  api: "by hand, in the dashboard or through the API",
  rerun: "as a re-run of an earlier run",
};

/** The facts of a run as a card. */
export function RunFacts(props: { run: RunView; now: number }) {
  const { run } = props;
  const took = runDuration(run, props.now);
  return (
    <section class="card" aria-labelledby="run-facts">
      <h2 id="run-facts">About this run</h2>
      <dl class="facts facts-stack">
        <dt>Pipeline</dt>
        <dd>
          {run.pipeline.id
            ? <a href={`/app/pipelines/${run.pipeline.id}`}>{run.pipeline.name}</a>
            : run.pipeline.name}
        </dd>
        <dt>Run id</dt>
        <dd class="mono">{run.id}</dd>
        <dt>Started by</dt>
        <dd>
          {startedByText(run)}
          {run.startedBy && run.trigger && HOW[run.trigger] && (
            <span class="help-inline">({HOW[run.trigger]})</span>
          )}
        </dd>
        {run.rerunOf && (
          <>
            <dt>Repeats</dt>
            <dd>
              <a href={`/app/runs/${run.rerunOf}`} class="mono">{run.rerunOf}</a>
            </dd>
          </>
        )}
        <dt>Queued</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{run.startedAt ? formatTime(run.startedAt) : "not yet"}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt ? formatTime(run.finishedAt) : "not yet"}</dd>
        <dt>Duration</dt>
        <dd>{took === undefined ? "—" : formatDuration(took)}</dd>
        <dt>Steps</dt>
        <dd>{num(run.progress.steps)}</dd>
      </dl>
    </section>
  );
}
