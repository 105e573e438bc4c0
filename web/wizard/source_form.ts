/**
 * Reading the source step's form: which file (uploaded by the island, posted with the form, or
 * chosen from earlier uploads), which saved connection and table, or which settings were typed,
 * and the column types the member chose on the preview. The result is the draft's source step
 * as a pipeline spec holds it, plus problems to show beside the fields.
 * @module
 */
import { extname } from "node:path";
import { configFromForm, lastValue, type PostedForm } from "../../components/schema_form_read.ts";
import { getConnection } from "../../connections/mod.ts";
import { extractors } from "../../etl/extract/mod.ts";
import { COLUMN_TYPES, type Extractor } from "../../etl/types.ts";
import type { AppDeps } from "../../routes/deps.ts";
import {
  findUpload,
  inputRootOf,
  type StoredUpload,
  storeUpload,
  UploadError,
} from "../uploads.ts";
import type { Draft } from "./draft.ts";

/** Source types read from an uploaded file, with the extensions each reads. */
export const FILE_TYPES: Record<string, readonly string[]> = {
  csv: [".csv", ".tsv", ".txt"],
  json: [".json", ".ndjson"],
};

/** Whether the source type reads a file (rather than connecting to a server). */
export const isFileType = (type: string | undefined) => type !== undefined && type in FILE_TYPES;

/** Whether the source type reads a database table (and so has a table picker). */
export const hasTables = (entry: Extractor | undefined) =>
  Boolean(entry?.catalog) && ["mysql", "postgres"].includes(entry!.type);

/** What the form says about the source. */
export interface SourceChoice {
  source: Record<string, unknown>;
  mode: NonNullable<Draft["sourceMode"]>;
  upload?: StoredUpload;
  /** `path: sentence` problems (`file`, `connection`, `table`, or a setting's name). */
  problems: string[];
  /** Values to show again where what was typed could not be read. */
  echo: Record<string, unknown>;
}

/** The file the form names: posted with it, uploaded by the island, chosen, or the draft's. */
async function chosenFile(
  deps: AppDeps,
  draft: Draft,
  form: PostedForm,
  problems: string[],
): Promise<StoredUpload | undefined> {
  const root = inputRootOf(deps, draft.tenant);
  const posted = ([] as unknown[]).concat(form.file ?? []).find((f) => f instanceof File);
  if (posted instanceof File && posted.size > 0) {
    try {
      return await storeUpload(root, posted.name, posted.stream());
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      problems.push(`file: ${err.message}`);
      return undefined;
    }
  }
  for (const path of [lastValue(form, "upload"), lastValue(form, "existing")]) {
    if (!path) continue;
    const found = await findUpload(root, path);
    if (found) return found;
    problems.push("file: That file is no longer there; upload it again.");
    return undefined;
  }
  return draft.upload && await findUpload(root, draft.upload.path);
}

/** A sentence when the file's extension does not suit the source type. */
export function fileTypeProblem(type: string, name: string): string | undefined {
  const ext = extname(name).toLowerCase();
  if (FILE_TYPES[type]?.includes(ext)) return undefined;
  const other = Object.keys(FILE_TYPES).find((t) => FILE_TYPES[t].includes(ext));
  const title = other && extractors.get(other)?.title;
  return title
    ? `"${name}" is a ${title}: choose "${title}" as the type of data above, or upload a ${
      FILE_TYPES[type].join(", ")
    } file.`
    : `"${name}" cannot be read as ${type.toUpperCase()}; upload a ${
      FILE_TYPES[type].join(", ")
    } file.`;
}

/** Read the source part of the step's form (the type is the draft's). */
export async function readSourceForm(
  deps: AppDeps,
  draft: Draft,
  entry: Extractor,
  form: PostedForm,
): Promise<SourceChoice> {
  const type = entry.type;
  const problems: string[] = [];
  if (isFileType(type)) {
    const typed = configFromForm(entry, form, { omit: ["path"] });
    problems.push(...typed.problems);
    const upload = await chosenFile(deps, draft, form, problems);
    const wrong = upload && fileTypeProblem(type, upload.name);
    if (wrong) problems.push(`file: ${wrong}`);
    const file = wrong ? undefined : upload;
    const source = { type, ...(file ? { path: file.path } : {}), ...typed.config };
    return { source, mode: "upload", upload: file, problems, echo: typed.echo };
  }
  const table = hasTables(entry) ? lastValue(form, "table").trim() : "";
  const withTable = table ? { table } : {};
  if (lastValue(form, "mode") === "connection") {
    const id = lastValue(form, "connection");
    const record = id ? await getConnection(deps.engine.kv, draft.tenant, id) : undefined;
    if (!record || record.kind !== "source" || record.type !== type) {
      problems.push("connection: Choose one of your saved connections, or type the settings.");
      return { source: { type, ...withTable }, mode: "connection", problems, echo: {} };
    }
    return {
      source: { type, connection: id, ...withTable },
      mode: "connection",
      problems,
      echo: {},
    };
  }
  const typed = configFromForm(entry, form, { omit: hasTables(entry) ? ["table"] : [] });
  problems.push(...typed.problems);
  return {
    source: { type, ...typed.config, ...withTable },
    mode: "settings",
    problems,
    echo: typed.echo,
  };
}

/**
 * The column types chosen on the preview that differ from the inferred ones: posted as
 * `type.<column>`, with the inferred types in `types_inferred` (JSON).
 */
export function typeOverridesOf(form: PostedForm): Record<string, string> | undefined {
  let inferred: Record<string, string>;
  try {
    inferred = JSON.parse(lastValue(form, "types_inferred") || "null");
  } catch {
    return undefined;
  }
  if (!inferred || typeof inferred !== "object") return undefined;
  const out: Record<string, string> = {};
  for (const [column, was] of Object.entries(inferred)) {
    const chosen = lastValue(form, `type.${column}`);
    if ((COLUMN_TYPES as readonly string[]).includes(chosen) && chosen !== was) {
      out[column] = chosen;
    }
  }
  return out;
}

/** What identifies the data a source reads: when it changes, earlier type choices are dropped. */
export function sourceIdentity(source: Record<string, unknown> | undefined): string {
  if (!source) return "";
  const { type, path, connection, table, query, host, database, url, baseUrl, resourceType } =
    source;
  return JSON.stringify([
    type,
    path,
    connection,
    table,
    query,
    host,
    database,
    url,
    baseUrl,
    resourceType,
  ]);
}

/** A pipeline name from what the source reads: the file's name, the table, or the resource. */
export function defaultName(source: Record<string, unknown> | undefined, upload?: StoredUpload) {
  if (!source) return "";
  if (upload) return upload.name.replace(/\.[^.]+$/, "");
  for (const key of ["table", "resourceType"]) {
    if (typeof source[key] === "string") return String(source[key]).split(".").pop()!;
  }
  if (typeof source.url === "string") {
    try {
      return new URL(source.url).pathname.split("/").filter(Boolean).pop() ?? "";
    } catch {
      return "";
    }
  }
  return "";
}
