/**
 * The parts of the source step's form: the file (upload, enhanced by the `upload` island, or an
 * earlier upload), the connection (a saved one or the settings typed, Test connection and its
 * answer right below), and the table picker of database sources.
 * @module
 */
import type { ComponentChildren } from "preact";
import { type Answer, ConnectionAnswer } from "../../components/ConnectionAnswer.tsx";
import { SchemaForm } from "../../components/SchemaForm.tsx";
import { problemsByField, sentence } from "../../components/schema_fields.ts";
import type { ConnectionRecord, TablesAnswer } from "../../connections/mod.ts";
import type { Extractor } from "../../etl/types.ts";
import type { Principal } from "../../routes/deps.ts";
import { scriptJson } from "../page_kit.tsx";
import { UPLOAD_MAX_BYTES, type UploadInfo, UPLOADS_PATH } from "../uploads.ts";
import type { Draft } from "./draft.ts";
import { FILE_TYPES, hasTables } from "./source_form.ts";
import type { PreviewAnswer } from "./source_read.ts";

/** Everything the page shows. */
export interface SourcePageProps {
  principal: Principal;
  draft: Draft;
  entry?: Extractor;
  /** Settings to show (the draft's source, plus text typed that could not be read). */
  values: Record<string, unknown>;
  problems: string[];
  uploads: UploadInfo[];
  connections: ConnectionRecord[];
  answer?: Answer;
  tables?: TablesAnswer;
  preview?: PreviewAnswer;
  error?: string;
}

/** "12.3 KB" */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const [value, unit] = n < 1024 * 1024 ? [n / 1024, "KB"] : [n / 1024 / 1024, "MB"];
  return `${value.toFixed(1).replace(/\.0$/, "")} ${unit}`;
}
/**
 * The button that posts the step with `action=preview`; the answer page opens at the preview's
 * heading (`#preview-title`).
 */
export function PreviewButton(props: { children: ComponentChildren }) {
  return (
    <div class="form-actions">
      <button
        type="submit"
        name="action"
        value="preview"
        class="secondary"
        formAction="#preview-title"
      >
        {props.children}
      </button>
    </div>
  );
}

/** The file: the one in use, an upload, or an earlier upload; and how it is written. */
export function FileSection(props: SourcePageProps & { entry: Extractor }) {
  const { draft, entry } = props;
  const accept = FILE_TYPES[entry.type];
  const fileError = problemsByField(props.problems, ["file"], []).byField.file;
  const current = draft.upload;
  const earlier = props.uploads.filter((u) =>
    accept.some((ext) => u.name.toLowerCase().endsWith(ext))
  );
  const island = { url: UPLOADS_PATH, csrf: props.principal.csrf, maxBytes: UPLOAD_MAX_BYTES };
  const described = ["source-file-help", fileError && "source-file-error"].filter(Boolean);
  return (
    <section aria-labelledby="file-title">
      <h2 id="file-title" class="step-title">Your file</h2>
      {current && (
        <p class="current-file">
          Using <strong>{current.name}</strong> ({bytesText(current.bytes)}).
        </p>
      )}
      <div class="upload" data-island="upload">
        <script
          type="application/json"
          id="upload-data"
          dangerouslySetInnerHTML={{ __html: scriptJson(island) }}
        />
        <div class={`field${fileError ? " invalid" : ""}`}>
          <label for="source-file">{current ? "Upload another file" : "Upload a file"}</label>
          <input
            type="file"
            id="source-file"
            name="file"
            accept={accept.join(",")}
            aria-invalid={fileError ? "true" : undefined}
            aria-describedby={described.join(" ")}
          />
          <p class="help" id="source-file-help">
            {entry.description}. A {accept.join(", ")} file of up to{" "}
            {bytesText(UPLOAD_MAX_BYTES)}, kept in your organisation's space only.
          </p>
          <noscript>
            <p class="help">
              With JavaScript off in your browser, files of up to 1 MB can be sent with the form.
            </p>
          </noscript>
          {fileError && <p class="error" id="source-file-error">{fileError}</p>}
        </div>
        <input type="hidden" name="upload" value="" />
        <div class="upload-status" />
      </div>
      {earlier.length > 0 && (
        <div class="field">
          <label for="source-existing">Or use a file uploaded before</label>
          <select id="source-existing" name="existing">
            <option value="">Choose a file</option>
            {earlier.map((u) => (
              <option value={u.path} selected={u.path === current?.path}>
                {u.name} · {bytesText(u.bytes)} · {u.at.slice(0, 10)}
              </option>
            ))}
          </select>
        </div>
      )}
      <SchemaForm
        entry={entry}
        values={props.values}
        problems={props.problems.filter((p) => !p.startsWith("file:"))}
        omit={["path"]}
        moreLabel="How the file is written (usually detected)"
      />
      <PreviewButton>
        {current ? "Show the preview again" : "Upload and show a preview"}
      </PreviewButton>
    </section>
  );
}

/** A saved connection or the settings typed, Test connection and its answer. */
export function ConnectSection(props: SourcePageProps & { entry: Extractor }) {
  const { draft, entry, connections } = props;
  const saved = draft.sourceMode === "connection" && connections.length > 0;
  const connError = problemsByField(props.problems, ["connection"], []).byField.connection;
  const chosen = draft.spec.source?.connection;
  return (
    <section aria-labelledby="connect-title" class="source-connect">
      <h2 id="connect-title" class="step-title">How do we reach it?</h2>
      {connections.length > 0 && (
        <fieldset class="bare">
          <legend class="label">Connection</legend>
          <div class="choices two">
            <label class="choice">
              <input
                type="radio"
                id="mode-connection"
                name="mode"
                value="connection"
                checked={saved}
              />
              <span>
                <strong>A saved connection</strong>
                <small>Settings your organisation saved on the Connections page</small>
              </span>
            </label>
            <label class="choice">
              <input
                type="radio"
                id="mode-settings"
                name="mode"
                value="settings"
                checked={!saved}
              />
              <span>
                <strong>Type the settings here</strong>
                <small>Server, database, user and password for this pipeline only</small>
              </span>
            </label>
          </div>
        </fieldset>
      )}
      {connections.length > 0 && (
        <div class={`field mode-connection${connError ? " invalid" : ""}`}>
          <label for="source-connection">Saved connection</label>
          <select
            id="source-connection"
            name="connection"
            aria-describedby="source-connection-help"
          >
            <option value="">Choose a connection</option>
            {connections.map((c) => (
              <option value={c.id} selected={c.id === chosen}>{c.name}</option>
            ))}
          </select>
          <p class="help" id="source-connection-help">
            Add or change them on the <a href="/app/connections">Connections</a> page.
          </p>
          {connError && <p class="error">{connError}</p>}
        </div>
      )}
      <div class="mode-settings">
        <SchemaForm
          entry={entry}
          values={props.values}
          problems={props.problems.filter((p) => !/^(connection|table|file):/.test(p))}
          omit={hasTables(entry) ? ["table"] : []}
        />
      </div>
      <div class="form-actions">
        <button
          type="submit"
          name="action"
          value="test"
          class="secondary"
          formAction="#connection-answer"
        >
          Test connection
        </button>
      </div>
      {props.answer && <ConnectionAnswer id="connection-answer" answer={props.answer} />}
    </section>
  );
}

/** The table to read: a select once the tables are listed, a text box before. */
export function TablePicker(props: SourcePageProps) {
  const current = String(props.draft.spec.source?.table ?? "");
  const error = problemsByField(props.problems, ["table"], []).byField.table;
  const tables = props.tables?.ok ? props.tables.tables : undefined;
  const help = tables
    ? "The tables this user may read, with their number of columns."
    : props.tables && !props.tables.ok
    ? `We could not list the tables: ${sentence(props.tables.message)}`
    : "Test connection lists the tables you can choose from; or type the table's name.";
  return (
    <section aria-labelledby="table-title">
      <h2 id="table-title" class="step-title">Which table?</h2>
      <div class={`field${error ? " invalid" : ""}`}>
        <label for="source-table">Table</label>
        {tables
          ? (
            <select id="source-table" name="table" aria-describedby="source-table-help">
              <option value="">Choose a table</option>
              {tables.map((t) => (
                <option value={t.name} selected={t.name === current}>
                  {t.name} ({t.columns.length} columns
                  {t.rows !== undefined ? `, about ${t.rows.toLocaleString("en-US")} rows` : ""})
                </option>
              ))}
            </select>
          )
          : (
            <input
              type="text"
              id="source-table"
              name="table"
              value={current}
              spellcheck={false}
              aria-describedby="source-table-help"
            />
          )}
        <p class="help" id="source-table-help">{help}</p>
        {error && <p class="error">{error}</p>}
      </div>
    </section>
  );
}
