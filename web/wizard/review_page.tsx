/**
 * The review step's pages: the summary with the pipeline's name and schedule and the Save
 * buttons (with every problem that kept it from saving, each linked to the step that fixes it),
 * and the page shown once after saving, with the webhook URL and secret.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { Alert, Csrf, Field, PageHead } from "../../components/ui.tsx";
import type { Principal } from "../../routes/deps.ts";
import { type Draft, STEP_TITLES, type WizardStep } from "./draft.ts";
import { stepUrl, WizardLayout } from "./WizardLayout.tsx";

/** The step that fixes a `path: message` problem of the spec, if any. */
export function stepOfProblem(problem: string): WizardStep | undefined {
  if (/^source\b/.test(problem)) return "source";
  // The output format is chosen with the transformation.
  if (/^(transforms\b|output\b)/.test(problem)) return "transform";
  if (/^repository\b/.test(problem)) return "repository";
  return undefined;
}

/** Props of {@link ReviewPage}. */
export interface ReviewPageProps {
  principal: Principal;
  draft: Draft;
  summary: string;
  name: string;
  schedule: string;
  /** The schedule in words, when it is valid. */
  reading?: string;
  errors: Record<string, string>;
  problems: string[];
  error?: string;
}

/** The review step. */
export function ReviewPage(props: ReviewPageProps) {
  const { draft, errors } = props;
  const change = (step: WizardStep, what: string) => (
    <a href={stepUrl(draft, step)}>
      Change the {what}
      <span class="visually-hidden">({STEP_TITLES[step]} step)</span>
    </a>
  );
  return (
    <WizardLayout principal={props.principal} draft={draft} step="review" error={props.error}>
      <section class="card" aria-labelledby="review-what">
        <h2 id="review-what">What will happen</h2>
        <p class="summary-sentence">{props.summary}</p>
        <ul class="change-links">
          <li>{change("source", "source")}</li>
          <li>{change("transform", "transformation or format")}</li>
          <li>{change("repository", "repository")}</li>
          <li>{change("analytics", "report")}</li>
        </ul>
      </section>
      {props.problems.length > 0 && (
        <div class="alert alert-error" role="alert">
          <p>The pipeline could not be saved. Fix these, then save again:</p>
          <ul class="problem-list">
            {props.problems.map((p) => {
              const step = stepOfProblem(p);
              return (
                <li>
                  {p}
                  {step && (
                    <>
                      — <a href={stepUrl(draft, step)}>go to {STEP_TITLES[step]}</a>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <form method="post" class="card review-form">
        <Csrf token={props.principal.csrf} />
        <Field
          label="Pipeline name"
          name="name"
          value={props.name}
          maxLength={120}
          help="How the pipeline is listed on your home page and in run reports."
          error={errors.name}
        />
        <div class={`field${errors.schedule ? " invalid" : ""}`}>
          <label for="f-schedule">
            Run on a schedule <span class="optional">(optional)</span>
          </label>
          <div class="inline-field">
            <input
              id="f-schedule"
              name="schedule"
              type="text"
              value={props.schedule}
              spellcheck={false}
              placeholder="30 2 * * *"
              aria-describedby={`f-schedule-help${props.reading ? " f-schedule-reading" : ""}${
                errors.schedule ? " f-schedule-error" : ""
              }`}
              aria-invalid={errors.schedule ? "true" : undefined}
            />
            <button type="submit" name="action" value="schedule" class="secondary">
              Read it back
            </button>
          </div>
          {props.reading && <p class="schedule-reading" id="f-schedule-reading">{props.reading}.
          </p>}
          <p class="help" id="f-schedule-help">
            Five fields in UTC: minute, hour, day of month, month, day of week. For example{" "}
            <code>30 2 * * *</code> runs every day at 02:30 and <code>0 6 * * 1</code>{" "}
            every Monday at 06:00. Leave it empty to run only when you start it.
          </p>
          {errors.schedule && <p class="error" id="f-schedule-error">{errors.schedule}</p>}
        </div>
        <div class="form-actions">
          <a class="button secondary" href={stepUrl(draft, "analytics")}>Back</a>
          <button type="submit" name="action" value="save" class="secondary">Save</button>
          <button type="submit" name="action" value="run">Save &amp; run</button>
        </div>
      </form>
    </WizardLayout>
  );
}

/** Props of {@link SavedPage}. */
export interface SavedPageProps {
  principal: Principal;
  name: string;
  pipelineId: string;
  /** Shown only on the answer to the save itself; missing when the page is seen again. */
  webhook?: { url: string; secret: string };
  schedule?: string;
  runId?: string;
  runError?: string;
}

/** What the member sees once the pipeline is saved. */
export function SavedPage(props: SavedPageProps) {
  return (
    <Layout title={`Saved: ${props.name}`} principal={props.principal} active="pipelines">
      <PageHead title="Pipeline saved" lead={<>“{props.name}” is saved with your pipelines.</>} />
      {props.runId && (
        <Alert kind="ok">
          <p>The first run has started.</p>
          <p>
            <a class="button" href={`/app/runs/${props.runId}`}>Watch the run</a>
          </p>
        </Alert>
      )}
      {props.runError && (
        <Alert kind="error">
          The pipeline is saved, but its run could not start: {props.runError}
        </Alert>
      )}
      {props.schedule && <p>It also runs on its schedule: {props.schedule}.</p>}
      {props.webhook
        ? (
          <section class="card" aria-labelledby="hook-title">
            <h2 id="hook-title">Start runs from your own systems</h2>
            <Alert kind="info">
              <strong>Copy these now.</strong>{" "}
              The secret is shown only this once; it cannot be seen again.
            </Alert>
            <dl class="facts secrets">
              <dt>Webhook URL</dt>
              <dd>
                <code>{props.webhook.url}</code>
              </dd>
              <dt>Secret</dt>
              <dd>
                <code class="secret-value">{props.webhook.secret}</code>
              </dd>
            </dl>
            <p class="help">
              Send a POST to the URL, signed with the secret (HMAC-SHA256 of the time stamp and the
              body, in the <code>X-PyxGen-Signature</code> header), and a run starts.
            </p>
          </section>
        )
        : (
          <Alert kind="info">
            The webhook secret was shown when the pipeline was saved and cannot be shown again.
          </Alert>
        )}
      <p class="form-actions">
        <a class="button secondary" href={`/app/pipelines/${props.pipelineId}`}>
          Open the pipeline
        </a>
        <a class="button secondary" href="/app">Go to your pipelines</a>
        <a class="button secondary" href="/app/pipelines/new">Make another pipeline</a>
      </p>
    </Layout>
  );
}
