/**
 * Parts of the repository step's page: the cards of the kinds of repository (links styled as
 * radio cards), the step's own labelled fields, and the table, mode and key of a database.
 * @module
 */
import type { ComponentChildren } from "preact";

/** The cards' titles and lines, by repository type. */
export const CARD_TEXT: Record<string, { title: string; text: string }> = {
  file: {
    title: "A file in your files",
    text: "Download it from the run page, or pick it up from your folder.",
  },
  postgres: { title: "PostgreSQL", text: "A table in a PostgreSQL database." },
  mysql: { title: "MySQL or MariaDB", text: "A table in a MySQL or MariaDB database." },
  sqlite: { title: "SQLite file", text: "A table in a SQLite database file in your files." },
  s3: {
    title: "Amazon S3 or compatible",
    text: "An object in a bucket (also MinIO and other S3 stores).",
  },
};

const MODES = [
  { value: "append", title: "Add the rows", text: "Each run adds its rows to the table." },
  {
    value: "replace",
    title: "Replace the rows",
    text: "After each run the table holds only that run's rows.",
  },
  {
    value: "upsert",
    title: "Update or add, by key",
    text: "A row whose key is already in the table is updated; others are added.",
  },
];

/** One kind of repository as a card; the current one is marked. */
export function Card(
  props: { href: string; current: boolean; title: string; children: ComponentChildren },
) {
  return (
    <li>
      <a
        class="choice choice-link"
        href={props.href}
        aria-current={props.current ? "true" : undefined}
      >
        <span class="choice-dot" aria-hidden="true"></span>
        <span>
          {props.title}
          <small>{props.children}</small>
        </span>
      </a>
    </li>
  );
}

/** A labelled field of the step's own (file, table, key), with help and error beside it. */
export function Own(
  props: {
    name: string;
    label: string;
    error?: string;
    help?: string;
    children: ComponentChildren;
  },
) {
  const id = `repo-${props.name}`;
  return (
    <div class={`field${props.error ? " invalid" : ""}`}>
      <label for={id}>{props.label}</label>
      {props.children}
      {props.help && <p class="help" id={`${id}-help`}>{props.help}</p>}
      {props.error && <p class="error" id={`${id}-error`}>{props.error}</p>}
    </div>
  );
}

/** `aria-describedby` of an {@link Own} field's input. */
export const described = (name: string, help: boolean, error?: string) =>
  [help && `repo-${name}-help`, error && `repo-${name}-error`].filter(Boolean).join(" ") ||
  undefined;

/** An {@link Own} field that is one line of text (`values[name]`), not spell-checked. */
export function OwnText(
  props: { name: string; label: string; value: unknown; error?: string; help: string },
) {
  return (
    <Own name={props.name} label={props.label} error={props.error} help={props.help}>
      <input
        id={`repo-${props.name}`}
        name={props.name}
        type="text"
        value={String(props.value ?? "")}
        spellcheck={false}
        aria-describedby={described(props.name, true, props.error)}
        aria-invalid={props.error ? "true" : undefined}
      />
    </Own>
  );
}

/** Where in the database: table, how each run writes, and the key. */
export function TableFields(
  props: { values: Record<string, unknown>; errors: Record<string, string>; fhir: boolean },
) {
  const { values, errors } = props;
  const mode = String(values.mode ?? "append");
  return (
    <fieldset>
      <legend>Where in the database</legend>
      <OwnText
        name="table"
        label="Table"
        value={values.table}
        error={errors.table}
        help="Created from the data's columns when it does not exist."
      />
      <fieldset class="bare">
        <legend class="label">How each run writes</legend>
        <div class="choices">
          {MODES.map((m) => (
            <label class="choice">
              <input type="radio" name="mode" value={m.value} checked={m.value === mode} />
              <span>
                {m.title}
                <small>{m.text}</small>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <OwnText
        name="keyColumns"
        label="Key column(s)"
        value={values.keyColumns}
        error={errors.keyColumns}
        help={`Needed to update or add by key: the column(s) that identify a row, separated by commas.${
          props.fhir ? " For FHIR resources: id." : ""
        }`}
      />
    </fieldset>
  );
}
