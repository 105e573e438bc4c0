/**
 * The pages of saved connections: the list, choosing what to connect to, the settings form (new
 * and edit, secrets write-only) with Test connection, and the delete confirmation.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { Alert, Csrf, Field, PageHead } from "../../components/ui.tsx";
import { type Answer, ConnectionAnswer } from "../../components/ConnectionAnswer.tsx";
import { SchemaForm } from "../../components/SchemaForm.tsx";
import { problemsByField } from "../../components/schema_fields.ts";
import {
  type ConnectionEntry,
  connectionEntry,
  type ConnectionKind,
  type ConnectionRecord,
  connectionTypes,
} from "../../connections/mod.ts";
import { DbLoadFields, DbSourceFields } from "../../etl/db/options.ts";
import type { Principal } from "../../routes/deps.ts";
import { ago } from "./HomePage.tsx";

const KIND_WORD: Record<ConnectionKind, string> = { source: "Source", repository: "Repository" };

/**
 * Settings a saved connection leaves to each pipeline (what to read or write), so its form does
 * not show them: a database's table or query, a FHIR server's resource type and search.
 */
export function connectionOmit(kind: ConnectionKind, type: string): string[] {
  if (type === "mysql" || type === "postgres") {
    return Object.keys(kind === "source" ? DbSourceFields : DbLoadFields);
  }
  if (type === "fhir-server") return ["resourceType", "search", "pageSize", "includeIncluded"];
  return [];
}

/** Where a connection points, without secrets: its host, address or bucket. */
export function connectionTarget(record: Pick<ConnectionRecord, "config">): string {
  const c = record.config;
  const host = typeof c.host === "string" ? `${c.host}${c.port ? `:${c.port}` : ""}` : undefined;
  const db = typeof c.database === "string" ? ` / ${c.database}` : "";
  return host ? host + db : String(c.url ?? c.baseUrl ?? c.bucket ?? "—");
}

/** The list of the tenant's connections (secrets masked). */
export function ConnectionListPage(
  props: { principal: Principal; connections: ConnectionRecord[]; notice?: string },
) {
  return (
    <Layout title="Connections" principal={props.principal} active="connections">
      <PageHead
        title="Connections"
        lead="Databases, APIs and storage your pipelines read from or write to. Passwords and keys are stored encrypted and never shown again."
        actions={<a class="button" href="/app/connections/new">New connection</a>}
      />
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      {props.connections.length === 0
        ? (
          <div class="card">
            <p>No saved connections yet.</p>
            <p>
              Save a database or API once, then pick it in any pipeline.{" "}
              <a href="/app/connections/new">Add your first connection</a>.
            </p>
          </div>
        )
        : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Used as</th>
                  <th scope="col">Type</th>
                  <th scope="col">Server</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {props.connections.map((c) => (
                  <tr>
                    <td>
                      <a href={`/app/connections/${c.id}`}>{c.name}</a>
                    </td>
                    <td>{KIND_WORD[c.kind]}</td>
                    <td>{connectionEntry(c.kind, c.type)?.title ?? c.type}</td>
                    <td class="mono">{connectionTarget(c)}</td>
                    <td>{ago(c.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </Layout>
  );
}

/** Step one of a new connection: what kind of server (a GET form, so nothing is saved yet). */
export function ConnectionTypePage(props: { principal: Principal; error?: string }) {
  const group = (kind: ConnectionKind, legend: string) => (
    <fieldset>
      <legend>{legend}</legend>
      <div class="choices">
        {connectionTypes(kind).map((type, i) => {
          const entry = connectionEntry(kind, type)!;
          return (
            <label class="choice">
              <input
                type="radio"
                name="for"
                value={`${kind}:${type}`}
                required={kind === "source" && i === 0}
              />
              <span>
                <strong>{entry.title}</strong>
                <small>{entry.description}</small>
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
  return (
    <Layout title="New connection" principal={props.principal} active="connections">
      <PageHead title="New connection" lead="What do you want to connect to?" />
      {props.error && <Alert kind="error">{props.error}</Alert>}
      <form method="get" action="/app/connections/new" class="card">
        {group("source", "Read data from")}
        {group("repository", "Write results to")}
        <div class="form-actions">
          <button type="submit">Continue</button>
          <a href="/app/connections">Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

/** Props of {@link ConnectionFormPage}. */
export interface ConnectionFormProps {
  principal: Principal;
  kind: ConnectionKind;
  type: string;
  entry: ConnectionEntry;
  /** Missing for a new connection. */
  record?: ConnectionRecord;
  name: string;
  /** Settings to show (a masked record's, or what was typed). */
  values: Record<string, unknown>;
  problems?: string[];
  answer?: Answer;
  notice?: string;
}

/** The settings form of a new or a saved connection. */
export function ConnectionFormPage(props: ConnectionFormProps) {
  const { entry, record } = props;
  const title = record ? record.name : `New ${entry.title} connection`;
  const { byField, other } = problemsByField(props.problems ?? [], ["name"], []);
  const action = record ? `/app/connections/${record.id}` : "/app/connections/new";
  return (
    <Layout title={title} principal={props.principal} active="connections">
      <p class="crumbs">
        <a href="/app/connections">Connections</a>
      </p>
      <PageHead
        title={title}
        lead={`${KIND_WORD[props.kind]}: ${entry.title}. ${entry.description}.`}
      />
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      <form method="post" action={action} class="card connection-form">
        <Csrf token={props.principal.csrf} />
        {!record && <input type="hidden" name="kind" value={props.kind} />}
        {!record && <input type="hidden" name="type" value={props.type} />}
        <Field
          label="Name"
          name="name"
          value={props.name}
          help='How this connection is listed, e.g. "EMR database".'
          error={byField.name}
          maxLength={100}
        />
        <SchemaForm
          entry={entry}
          values={props.values}
          problems={other}
          omit={connectionOmit(props.kind, props.type)}
        />
        {props.answer && <ConnectionAnswer id="answer" answer={props.answer} />}
        <div class="form-actions">
          <button type="submit" name="action" value="save">
            {record ? "Save changes" : "Save connection"}
          </button>
          {record && (
            <button
              type="submit"
              name="action"
              value="test"
              class="secondary"
              formAction={`${action}#answer`}
            >
              Test connection
            </button>
          )}
          <a href="/app/connections">Cancel</a>
          {record && (
            <a class="push-right danger-link" href={`/app/connections/${record.id}/delete`}>
              Delete…
            </a>
          )}
        </div>
        {record && (
          <p class="help">
            Test connection saves your changes first, then connects with the saved settings.
          </p>
        )}
      </form>
    </Layout>
  );
}

/** "Delete this connection?" with a form button; nothing happens without it. */
export function ConnectionDeletePage(props: { principal: Principal; record: ConnectionRecord }) {
  const { record } = props;
  return (
    <Layout title={`Delete ${record.name}`} principal={props.principal} active="connections">
      <div class="narrow card">
        <h1>Delete “{record.name}”?</h1>
        <p>
          Pipelines that use this connection will fail to run until you choose another one. Its
          saved password or keys are deleted with it. This cannot be undone.
        </p>
        <form method="post" action={`/app/connections/${record.id}/delete`}>
          <Csrf token={props.principal.csrf} />
          <div class="form-actions">
            <button type="submit" class="danger">Delete connection</button>
            <a href={`/app/connections/${record.id}`}>Keep it</a>
          </div>
        </form>
      </div>
    </Layout>
  );
}
