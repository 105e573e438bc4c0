/**
 * A saved pipeline's page: what it does in plain words (secrets masked), how its runs start
 * (Run now, webhook URL, schedule with its English reading, notification URL) and its runs.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { Alert, Csrf, Field, PageHead } from "../../components/ui.tsx";
import { formatTime } from "../../components/run_text.ts";
import type { Principal } from "../../routes/deps.ts";
import type { RunRecord } from "../../runs/run_record.ts";
import type { SpecPart } from "../spec_summary.ts";
import { RunTable } from "./HomePage.tsx";

/** What the pipeline page shows. */
export interface PipelinePageProps {
  principal: Principal;
  pipeline: { id: string; name: string; createdAt: string; notifyUrl?: string };
  parts: SpecPart[];
  /** The masked spec as JSON, for the collapsible raw view. */
  specJson: string;
  webhookUrl: string;
  schedule: { cron: string; says: string } | null;
  runs: RunRecord[];
  notice?: string;
  /** A schedule the user typed that was refused, and why. */
  scheduleInput?: string;
  scheduleError?: string;
}

/** The pipeline page. */
export function PipelinePage(props: PipelinePageProps) {
  const p = props.pipeline;
  const canEdit = props.principal.role !== "viewer";
  const csrf = props.principal.csrf;
  return (
    <Layout title={p.name} principal={props.principal} active="pipelines">
      <PageHead
        title={p.name}
        lead={`Pipeline created on ${formatTime(p.createdAt)}`}
        actions={canEdit && (
          <form method="post" action={`/app/pipelines/${p.id}/run`}>
            <Csrf token={csrf} />
            <button type="submit">Run now</button>
          </form>
        )}
      />
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      <div class="two-cols">
        <section class="card" aria-labelledby="what-title">
          <h2 id="what-title">What it does</h2>
          <ol class="spec-parts">
            {props.parts.map((part) => (
              <li>
                <h3>{part.role}</h3>
                <p class="spec-title">{part.title}</p>
                {part.settings.length > 0 && (
                  <dl class="facts facts-stack">
                    {part.settings.map(([label, value]) => (
                      <>
                        <dt>{label}</dt>
                        <dd>{value}</dd>
                      </>
                    ))}
                  </dl>
                )}
              </li>
            ))}
          </ol>
          <details class="raw">
            <summary>Show the settings as JSON</summary>
            <pre>{props.specJson}</pre>
          </details>
        </section>
        <section class="card start-card" aria-labelledby="start-title">
          <h2 id="start-title">How runs start</h2>
          <h3>By hand</h3>
          <p class="help">
            {canEdit
              ? "The Run now button starts a run at once."
              : "Editors and owners can start a run at once."}
          </p>
          <h3>From another system (webhook)</h3>
          <p class="help">
            A signed POST to this address starts a run. The signing secret was shown once, when the
            pipeline was created.
          </p>
          <p class="mono copyable">{props.webhookUrl}</p>
          <h3>On a schedule</h3>
          {props.schedule
            ? (
              <p>
                <strong>{props.schedule.says}</strong>{" "}
                <span class="help-inline">
                  (<code>{props.schedule.cron}</code>)
                </span>
              </p>
            )
            : <p>No schedule: runs start only by hand or by webhook.</p>}
          {canEdit && (
            <ScheduleForm
              id={p.id}
              csrf={csrf}
              current={props.schedule?.cron}
              input={props.scheduleInput}
              error={props.scheduleError}
            />
          )}
          <h3>Notifications</h3>
          {p.notifyUrl
            ? (
              <p>
                When a run ends, a signed message is sent to{" "}
                <span class="mono">{p.notifyUrl}</span>.
              </p>
            )
            : <p>No notification address: nobody is told when a run ends.</p>}
        </section>
      </div>
      <h2>Runs</h2>
      <RunTable runs={props.runs} />
    </Layout>
  );
}

function ScheduleForm(
  props: { id: string; csrf?: string; current?: string; input?: string; error?: string },
) {
  return (
    <form method="post" action={`/app/pipelines/${props.id}/schedule`} class="schedule-form">
      <Csrf token={props.csrf} />
      <Field
        label={props.current ? "Change the schedule" : "Add a schedule"}
        name="schedule"
        type="text"
        value={props.input ?? props.current ?? ""}
        placeholder="30 2 * * *"
        required
        autocomplete="off"
        spellcheck={false}
        help='Five fields in UTC: minute, hour, day of month, month, day of week. "30 2 * * *" is every day at 02:30; "0 * * * *" every hour.'
        error={props.error}
      />
      <div class="form-actions">
        <button type="submit" class="secondary">Save schedule</button>
        {props.current && (
          <button type="submit" class="link" name="remove" value="1" formnovalidate>
            Remove the schedule
          </button>
        )}
      </div>
    </form>
  );
}
