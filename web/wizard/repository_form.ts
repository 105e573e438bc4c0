/**
 * The repository step's choices and form: where the results go (a file in the tenant's files, a
 * PostgreSQL / MySQL / SQLite table, S3, or a saved repository connection), the step built from
 * the posted fields, and every problem put beside the field it concerns. Connection settings are
 * read with the generated form (`components/SchemaForm.tsx`); what a pipeline writes (file, table,
 * mode, key) has fields of its own, in plain words.
 * @module
 */
import { configFromForm } from "../../components/SchemaForm.tsx";
import type { ConnectionRecord } from "../../connections/mod.ts";
import { formats } from "../../etl/format/mod.ts";
import { loaders } from "../../etl/load/mod.ts";
import { stepConfig, zodProblems } from "../../etl/spec.ts";
import type { Loader } from "../../etl/types.ts";
import { field } from "../page.ts";
import type { Draft } from "./draft.ts";

/** The repository types the step offers directly, in the order of the cards. */
export const REPOSITORY_TYPES = ["file", "postgres", "mysql", "sqlite", "s3"] as const;

/** Database repositories: they take a table, a mode and maybe a key. */
export const TABLE_TYPES = new Set(["postgres", "mysql", "sqlite"]);

/** What the user chose: a repository type, or a saved connection. */
export type RepoChoice =
  | { kind: "type"; type: string; entry: Loader }
  | { kind: "connection"; record: ConnectionRecord; entry: Loader };

/** The wire form of a choice (`file`, `postgres`, `connection:<id>`). */
export const choiceValue = (c: RepoChoice) =>
  c.kind === "type" ? c.type : `connection:${c.record.id}`;

/** The choice named `value`, or undefined when it is not one of the offered ones. */
export function choiceOf(
  value: string,
  connections: readonly ConnectionRecord[],
): RepoChoice | undefined {
  if (value.startsWith("connection:")) {
    const record = connections.find((r) => r.id === value.slice("connection:".length));
    const entry = record && loaders.get(record.type);
    return record && entry ? { kind: "connection", record, entry } : undefined;
  }
  const entry = (REPOSITORY_TYPES as readonly string[]).includes(value)
    ? loaders.get(value)
    : undefined;
  return entry ? { kind: "type", type: value, entry } : undefined;
}

/** The choice the draft's saved repository step stands for (a file when there is none). */
export function draftChoice(draft: Draft, connections: readonly ConnectionRecord[]): RepoChoice {
  const repo = draft.spec.repository;
  const value = typeof repo?.connection === "string"
    ? `connection:${repo.connection}`
    : String(repo?.type ?? "file");
  return choiceOf(value, connections) ?? choiceOf("file", connections)!;
}

/** A short name for files and tables: the pipeline's name, else the uploaded file's. */
export function baseName(draft: Draft): string {
  const source = draft.spec.source ?? {};
  const raw = draft.spec.name || draft.upload?.name || String(source.table ?? source.path ?? "") ||
    "pipeline";
  const stem = raw.replace(/^.*[\\/]/, "").replace(/\.[A-Za-z0-9]{1,8}$/, "");
  return stem.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "pipeline";
}

/** The file the results go to when the user names none: `<name>.<format's extension>`. */
export function defaultPath(draft: Draft): string {
  const ext = formats.get(String(draft.spec.output?.format ?? ""))?.extension ?? "csv";
  return `${baseName(draft)}.${ext}`;
}

/** What the form shows again: the values (secrets never), and sentences by field. */
export interface RepoForm {
  choice: RepoChoice;
  /** The step as built from the form (secrets as typed; empty ones left out). */
  step: Record<string, unknown>;
  /** Values to show (the generated form's echo plus the step's own fields). */
  values: Record<string, unknown>;
  /** Sentences beside the step's own fields: `path`, `table`, `mode`, `keyColumns`, `objectKey`. */
  errors: Record<string, string>;
  /** Problems of the generated connection settings (`name: sentence`). */
  problems: string[];
}

const OWN = ["table", "mode", "key"];

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Build the repository step from the posted form. */
export function readForm(
  choice: RepoChoice,
  form: Record<string, unknown>,
  draft: Draft,
): RepoForm {
  const errors: Record<string, string> = {};
  let step: Record<string, unknown>;
  let values: Record<string, unknown> = {};
  let problems: string[] = [];
  const type = choice.kind === "type" ? choice.type : choice.record.type;
  if (choice.kind === "type" && type === "file") {
    const path = field(form, "path") || defaultPath(draft);
    const overwrite = field(form, "overwrite") !== "";
    step = { type, path, ...(overwrite ? {} : { overwrite: false }) };
    values = { path, overwrite };
  } else if (choice.kind === "type") {
    const omit = TABLE_TYPES.has(type) ? OWN : [];
    const read = configFromForm(choice.entry, form as never, { omit });
    step = { type, ...read.config };
    values = read.echo;
    problems = read.problems;
  } else {
    step = { type, connection: choice.record.id };
    const objectKey = field(form, "objectKey");
    if (type === "s3" && objectKey) step.key = objectKey;
    values = { objectKey };
  }
  if (TABLE_TYPES.has(type)) {
    const table = field(form, "table");
    const mode = ["replace", "upsert"].includes(field(form, "mode"))
      ? field(form, "mode")
      : "append";
    const key = list(field(form, "keyColumns"));
    Object.assign(step, { table, mode, ...(key.length > 0 ? { key } : {}) });
    Object.assign(values, { table, mode, keyColumns: key.join(", ") });
    if (!table) {
      errors.table = "Give the name of the table to write into (it is created when missing).";
    }
    if (mode === "upsert" && key.length === 0) {
      errors.keyColumns =
        "Upsert needs the key column(s) that identify a row (for FHIR resources: id); type them here, or choose another way to write.";
    }
  }
  return { choice, step, values, errors, problems };
}

/**
 * Check a step whose secrets and saved connection are opened against its repository's schema;
 * problems of the step's own fields go into `form.errors`, the others into `form.problems`.
 */
export function checkOpened(form: RepoForm, opened: Record<string, unknown>): RepoForm {
  const entry = loaders.get(String(opened.type));
  if (!entry) {
    return {
      ...form,
      problems: [...form.problems, `There is no repository "${String(opened.type)}".`],
    };
  }
  const errors = { ...form.errors };
  const problems = [...form.problems];
  const parsed = entry.config.safeParse(stepConfig(opened, "type"));
  const isFile = entry.type === "file";
  for (const problem of parsed.success ? [] : zodProblems(parsed.error)) {
    const [path, ...rest] = problem.split(": ");
    const message = rest.join(": ");
    const own = path === "key" && TABLE_TYPES.has(entry.type)
      ? "keyColumns"
      : (path === "path" && isFile) || path === "table" || path === "mode"
      ? path
      : form.choice.kind === "connection" && path === "key"
      ? "objectKey"
      : undefined;
    if (own) errors[own] ??= message.charAt(0).toUpperCase() + message.slice(1);
    else problems.push(problem);
  }
  if (isFile) {
    const path = String(opened.path ?? "");
    if (path.startsWith("/") || path.split(/[\\/]/).includes("..")) {
      errors.path = "The file must stay inside your files: remove the leading / and any “..”.";
    }
  }
  return { ...form, errors, problems };
}

/** Whether the form has nothing left to fix. */
export const isComplete = (form: RepoForm) =>
  Object.keys(form.errors).length === 0 && form.problems.length === 0;

/** The values a saved step shows in the form (secrets stay sealed: the form only says "saved"). */
export function valuesOfStep(
  choice: RepoChoice,
  step: Record<string, unknown> | undefined,
  draft: Draft,
) {
  const same = step &&
    (choice.kind === "connection"
      ? step.connection === choice.record.id
      : step.type === choice.type && step.connection === undefined);
  const s = same ? step : {};
  const values: Record<string, unknown> = { ...stepConfig(s, "type") };
  if (choice.kind === "type" && choice.type === "file") {
    values.path = s.path ?? defaultPath(draft);
    values.overwrite = s.overwrite !== false;
  }
  const type = choice.kind === "type" ? choice.type : choice.record.type;
  if (TABLE_TYPES.has(type)) {
    values.table = s.table ?? baseName(draft);
    values.mode = s.mode ?? "append";
    values.keyColumns = Array.isArray(s.key) ? s.key.join(", ") : "";
  }
  if (choice.kind === "connection") values.objectKey = s.key ?? "";
  return values;
}
