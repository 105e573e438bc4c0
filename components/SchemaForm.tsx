/**
 * A form generated from a registry entry's zod config: one labelled field per property with the
 * schema's description as help, choices as selects, yes/no as checkboxes, numbers as number
 * inputs, secrets as password inputs that never show a value (a saved one says so), lists as
 * comma-separated text and objects as a small JSON box. Problems (`source.port: …`) show beside
 * the field they name. Field names are `cfg.<name>`; {@link configFromForm} reads them back.
 *
 * @example
 * ```tsx
 * <SchemaForm entry={mysqlExtractor} values={draft.spec.source} problems={problems} omit={["table"]} />
 * ```
 * @module
 */
import type { JSX } from "preact";
import {
  type FormField,
  problemsByField,
  type SchemaEntry,
  schemaFields,
  sentence,
} from "./schema_fields.ts";

export { problemsByField, schemaFields } from "./schema_fields.ts";
export { configFromForm } from "./schema_form_read.ts";

/** Fields shown outside "More settings" besides the required ones and the secrets. */
const COMMON = ["port", "auth", "user", "apiKeyName", "region", "endpoint", "url", "baseUrl"];

/** Props of {@link SchemaForm}. */
export interface SchemaFormProps {
  entry: SchemaEntry;
  /** Current values (a saved config or what was typed); secrets are never shown. */
  values?: Record<string, unknown>;
  /** Problems as `path: message`; those naming a field show beside it, others above. */
  problems?: readonly string[];
  /** Properties not to show (set elsewhere on the page, e.g. the file or the table). */
  omit?: readonly string[];
  /** Properties shown outside "More settings" (default: required, secrets and common ones). */
  primary?: readonly string[];
  /** Form field name prefix (default `cfg.`). */
  prefix?: string;
  /** The summary of the folded part (default "More settings"). */
  moreLabel?: string;
}

const SAVED_SECRET = "Saved — leave empty to keep it";

function stored(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

function textOf(field: FormField, value: unknown): string {
  const v = value ?? field.default;
  if (v === undefined || v === null) return "";
  if (field.kind === "list") return Array.isArray(v) ? v.join(", ") : String(v);
  if (field.kind === "json") {
    if (typeof v === "string") return v;
    if (typeof v === "object" && Object.keys(v).length === 0) return "";
    return JSON.stringify(v, null, 2);
  }
  return String(v);
}

function helpOf(field: FormField, value: unknown): string | undefined {
  // "User name." under "User name" says nothing new.
  const said = !field.help || field.help.toLowerCase() === field.label.toLowerCase();
  const help = said ? undefined : sentence(field.help!);
  if (field.kind === "password") return stored(value) ? SAVED_SECRET : help;
  if (field.kind === "list") return `${help ?? ""} Separate names with commas.`.trim();
  if (field.kind === "json") {
    return `${help ?? ""} Write it as JSON, for example {"name": "value"}; leave it empty for none.`
      .trim();
  }
  return help;
}

/** One generated field with its label, help and error. */
function SchemaField(
  props: { field: FormField; value: unknown; error?: string; prefix: string },
) {
  const { field, value, error, prefix } = props;
  const id = `cfg-${field.name}`;
  const help = helpOf(field, value);
  const describedBy = [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(" ");
  const common = {
    id,
    name: prefix + field.name,
    "aria-invalid": error ? "true" as const : undefined,
    "aria-describedby": describedBy || undefined,
  };
  let control: JSX.Element;
  switch (field.kind) {
    case "select": {
      const current = String(value ?? field.default ?? "");
      control = (
        <select {...common}>
          {!field.required && field.default === undefined && <option value="">Not set</option>}
          {field.options!.map((o) => (
            <option value={o.value} selected={o.value === current}>{o.label}</option>
          ))}
        </select>
      );
      break;
    }
    case "checkbox":
      control = (
        <input {...common} type="checkbox" value="true" checked={Boolean(value ?? field.default)} />
      );
      break;
    case "password":
      control = <input {...common} type="password" value="" autoComplete="new-password" />;
      break;
    case "integer":
    case "number":
      control = (
        <input
          {...common}
          type="number"
          inputMode={field.kind === "integer" ? "numeric" : "decimal"}
          step={field.kind === "integer" ? 1 : "any"}
          min={field.min}
          max={field.max}
          value={textOf(field, value)}
        />
      );
      break;
    case "textarea":
    case "json":
      control = (
        <textarea {...common} rows={field.kind === "json" ? 3 : 5} spellcheck={false}>
          {textOf(field, value)}
        </textarea>
      );
      break;
    default:
      control = (
        <input
          {...common}
          type="text"
          inputMode={/url/i.test(field.name) ? "url" : undefined}
          spellcheck={false}
          value={textOf(field, value)}
        />
      );
  }
  const label = (
    <label for={id}>
      {field.label}
      {!field.required && field.default === undefined && field.kind !== "password" &&
        <span class="optional">(optional)</span>}
    </label>
  );
  return (
    <div class={`field${field.kind === "checkbox" ? " check" : ""}${error ? " invalid" : ""}`}>
      {field.kind === "checkbox" ? <div class="check-row">{control}{label}</div> : label}
      {field.kind !== "checkbox" && control}
      {help && <p class="help" id={`${id}-help`}>{help}</p>}
      {error && <p class="error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

/** The generated fields (no <form>: the page puts them in its own form). */
export function SchemaForm(props: SchemaFormProps) {
  const prefix = props.prefix ?? "cfg.";
  const values = props.values ?? {};
  const fields = schemaFields(props.entry).filter((f) => !props.omit?.includes(f.name));
  const { byField, other } = problemsByField(props.problems ?? [], fields.map((f) => f.name));
  const isPrimary = (f: FormField) =>
    props.primary
      ? props.primary.includes(f.name)
      : f.required || f.kind === "password" || COMMON.includes(f.name);
  const primary = fields.filter(isPrimary);
  const more = fields.filter((f) => !isPrimary(f));
  const render = (f: FormField) => (
    <SchemaField field={f} value={values[f.name]} error={byField[f.name]} prefix={prefix} />
  );
  return (
    <div class="schema-form">
      {other.length > 0 && (
        <div class="alert alert-error" role="alert">
          <ul class="plain">{other.map((p) => <li key={p}>{sentence(p)}</li>)}</ul>
        </div>
      )}
      {primary.map(render)}
      {more.length > 0 && (
        <details
          class="more"
          open={more.some((f) => byField[f.name]) || undefined}
        >
          <summary>{props.moreLabel ?? "More settings"}</summary>
          <div class="more-body">{more.map(render)}</div>
        </details>
      )}
    </div>
  );
}
