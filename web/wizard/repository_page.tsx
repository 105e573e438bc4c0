/**
 * The repository step's page: where the results go, as cards (links, so each kind's settings
 * come from the server and keep working without script), then that kind's settings, "Test
 * connection" with its answer beside the button, and Back / Next.
 * @module
 */
import { SchemaForm } from "../../components/SchemaForm.tsx";
import { Alert, Csrf } from "../../components/ui.tsx";
import type { ConnectionRecord } from "../../connections/mod.ts";
import type { ConnectionAnswer } from "../../etl/connections.ts";
import { loaders } from "../../etl/load/mod.ts";
import type { Principal } from "../../routes/deps.ts";
import type { Draft } from "./draft.ts";
import { choiceValue, type RepoChoice, REPOSITORY_TYPES, TABLE_TYPES } from "./repository_form.ts";
import { Card, CARD_TEXT, described, Own, OwnText, TableFields } from "./repository_fields.tsx";
import { stepUrl, WizardButtons, WizardLayout } from "./WizardLayout.tsx";

function Settings(props: RepositoryPageProps) {
  const { choice, values, errors } = props;
  const type = choice.kind === "type" ? choice.type : choice.record.type;
  const fhir = props.draft.spec.transforms.some((t) => String(t.type).startsWith("fhir-"));
  if (choice.kind === "type" && type === "file") {
    return (
      <>
        <OwnText
          name="path"
          label="File name"
          value={values.path}
          error={errors.path}
          help="Written into your organisation's output folder; folders in the name (e.g. synthea/Patient.ndjson) are made when missing."
        />
        <div class="field check">
          <div class="check-row">
            <input
              id="repo-overwrite"
              name="overwrite"
              type="checkbox"
              value="true"
              checked={values.overwrite !== false}
            />
            <label for="repo-overwrite">Replace the file when a run writes it again</label>
          </div>
        </div>
      </>
    );
  }
  if (choice.kind === "connection") {
    return (
      <>
        <p>
          The connection <strong>{choice.record.name}</strong>{" "}
          ({choice.entry.title}) gives the server and sign-in.{" "}
          <a href="/app/connections">Manage connections</a>
        </p>
        {type === "s3" && (
          <Own
            name="objectKey"
            label="Object key (optional)"
            error={errors.objectKey}
            help="Leave empty to use the connection's. {tenant}, {pipeline}, {run}, {date} and {ext} are filled in per run."
          >
            <input
              id="repo-objectKey"
              name="objectKey"
              type="text"
              value={String(values.objectKey ?? "")}
              spellcheck={false}
              aria-describedby={described("objectKey", true, errors.objectKey)}
            />
          </Own>
        )}
        {props.problems.length > 0 && (
          <Alert kind="error">
            <ul class="plain">{props.problems.map((p) => <li key={p}>{p}</li>)}</ul>
          </Alert>
        )}
        {TABLE_TYPES.has(type) && <TableFields values={values} errors={errors} fhir={fhir} />}
      </>
    );
  }
  const legend = type === "s3"
    ? "The bucket and how to sign in"
    : type === "sqlite"
    ? "The database file"
    : "How to reach the database";
  return (
    <>
      <fieldset>
        <legend>{legend}</legend>
        <SchemaForm
          entry={choice.entry}
          values={values}
          problems={props.problems}
          omit={TABLE_TYPES.has(type) ? ["table", "mode", "key"] : []}
        />
      </fieldset>
      {TABLE_TYPES.has(type) && <TableFields values={values} errors={errors} fhir={fhir} />}
    </>
  );
}

/** Props of {@link RepositoryPage}. */
export interface RepositoryPageProps {
  principal: Principal;
  draft: Draft;
  choice: RepoChoice;
  connections: readonly ConnectionRecord[];
  values: Record<string, unknown>;
  errors: Record<string, string>;
  problems: string[];
  answer?: ConnectionAnswer;
  error?: string;
}

/** The repository step. */
export function RepositoryPage(props: RepositoryPageProps) {
  const { draft, choice } = props;
  const current = choiceValue(choice);
  const base = stepUrl(draft, "repository");
  const saved = props.connections.filter((c) => c.kind === "repository" && loaders.get(c.type));
  const type = choice.kind === "type" ? choice.type : choice.record.type;
  const title = choice.kind === "connection"
    ? choice.record.name
    : CARD_TEXT[type]?.title ?? choice.entry.title;
  return (
    <WizardLayout principal={props.principal} draft={draft} step="repository" error={props.error}>
      <section class="card" aria-labelledby="repo-kind">
        <h2 id="repo-kind">Where should the results go?</h2>
        <nav aria-label="Kind of repository">
          <ul class="choices choice-list">
            {REPOSITORY_TYPES.map((t) => (
              <Card href={`${base}?type=${t}`} current={current === t} title={CARD_TEXT[t].title}>
                {CARD_TEXT[t].text}
              </Card>
            ))}
          </ul>
        </nav>
        {saved.length > 0 && (
          <nav aria-label="Saved connections">
            <h3>Or a saved connection</h3>
            <ul class="choices choice-list">
              {saved.map((c) => (
                <Card
                  href={`${base}?type=connection:${c.id}`}
                  current={current === `connection:${c.id}`}
                  title={c.name}
                >
                  {loaders.get(c.type)!.title}
                </Card>
              ))}
            </ul>
          </nav>
        )}
      </section>
      <form method="post" class="card repository-form" aria-labelledby="repo-settings">
        <Csrf token={props.principal.csrf} />
        <input type="hidden" name="choice" value={current} />
        <WizardButtons draft={draft} step="repository" />
        <h2 id="repo-settings">{title}</h2>
        <Settings {...props} />
        {type !== "file" && (
          <div class="test-row">
            <button type="submit" name="action" value="test" class="secondary">
              Test connection
            </button>
            {props.answer && (
              <p class={`test-answer ${props.answer.ok ? "ok" : "failed"}`} role="status">
                <strong>{props.answer.ok ? "Connected." : "Not connected."}</strong>{" "}
                {props.answer.message}
              </p>
            )}
          </div>
        )}
      </form>
    </WizardLayout>
  );
}
