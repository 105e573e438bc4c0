/**
 * Posted `cfg.<name>` fields back to a config object for a registry entry: numbers, yes/no,
 * lists and JSON converted; empty fields left out, so the schema's default applies and an empty
 * secret keeps the saved one.
 * @module
 */
import { type SchemaEntry, schemaFields } from "./schema_fields.ts";

/** A posted form as Hono's `parseBody` gives it (with or without `all: true`). */
export type PostedForm = Record<string, string | File | (string | File)[]>;

/** The last text value of a form field ("" when missing or a file). */
export function lastValue(form: PostedForm, name: string): string {
  const raw = form[name];
  const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return typeof v === "string" ? v : "";
}

/** What {@link configFromForm} gives back. */
export interface FormConfig {
  /** The config: values typed, empty optional fields and empty secrets left out. */
  config: Record<string, unknown>;
  /** Values that could not be read, each as `<name>: <sentence>`. */
  problems: string[];
  /**
   * What to show in the form again: the config without secrets, with the text typed where it
   * was not valid.
   */
  echo: Record<string, unknown>;
}

/**
 * Turn posted `<prefix><name>` fields back into a config for `entry`. Numbers, yes/no, lists and
 * JSON are converted; empty fields are left out (the schema's default applies, and an empty
 * secret keeps the saved one); fields named in `omit` are not read.
 *
 * @example
 * ```ts
 * configFromForm(mysqlExtractor, { "cfg.host": "db", "cfg.port": "3306" }).config; // { host: "db", port: 3306, … }
 * ```
 */
export function configFromForm(
  entry: SchemaEntry,
  form: PostedForm,
  options: { prefix?: string; omit?: readonly string[] } = {},
): FormConfig {
  const prefix = options.prefix ?? "cfg.";
  const config: Record<string, unknown> = {};
  const echo: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of schemaFields(entry)) {
    if (options.omit?.includes(field.name)) continue;
    const text = lastValue(form, prefix + field.name);
    const set = (value: unknown) => {
      config[field.name] = value;
      // A secret is never sent back to the browser, not even the one just typed.
      if (field.kind !== "password") echo[field.name] = value;
    };
    if (field.kind === "checkbox") {
      set(text === "true" || text === "on");
      continue;
    }
    const trimmed = field.kind === "password" || field.kind === "textarea" ? text : text.trim();
    if (trimmed.trim() === "") continue;
    const bad = (sentence: string) => {
      problems.push(`${field.name}: ${sentence}`);
      echo[field.name] = trimmed;
    };
    switch (field.kind) {
      case "integer":
      case "number": {
        const n = Number(trimmed);
        if (!Number.isFinite(n) || (field.kind === "integer" && !Number.isInteger(n))) {
          bad(`"${trimmed}" is not a ${field.kind === "integer" ? "whole " : ""}number`);
        } else set(n);
        break;
      }
      case "list":
        set(trimmed.split(",").map((s) => s.trim()).filter((s) => s !== ""));
        break;
      case "json":
        try {
          set(JSON.parse(trimmed));
        } catch {
          bad('is not valid JSON; write it like {"name": "value"}');
        }
        break;
      default:
        set(trimmed);
    }
  }
  return { config, problems, echo };
}
