/**
 * The review step's plain-language summary of a draft: one sentence saying what a run will do
 * ("Read patients.csv (115 rows), turn each row into a FHIR Patient with the Synthea mapping,
 * write NDJSON to patients.ndjson in your files, and make a basic report."), built from the
 * draft's non-secret settings, plus the spec the draft becomes when saved.
 * @module
 */
import type { ConnectionRecord } from "../../connections/mod.ts";
import { formats } from "../../etl/format/mod.ts";
import { loaders } from "../../etl/load/mod.ts";
import type { Draft } from "./draft.ts";

/** What the summary knows of the source's size. */
export interface RowCount {
  rows: number;
  /** True when the source had no more rows than were read. */
  complete: boolean;
}

const DB_NAMES: Record<string, string> = {
  postgres: "PostgreSQL",
  mysql: "MySQL",
  sqlite: "SQLite",
};

type Step = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

function connectionName(step: Step, connections: readonly ConnectionRecord[]): string | undefined {
  const id = str(step.connection);
  if (!id) return undefined;
  return connections.find((c) => c.id === id)?.name ?? "a saved connection";
}

/** "Read patients.csv (115 rows)". */
function readPart(
  draft: Draft,
  count: RowCount | undefined,
  connections: readonly ConnectionRecord[],
) {
  const s = draft.spec.source ?? {};
  const via = connectionName(s, connections);
  let what: string;
  if (draft.upload) what = draft.upload.name;
  else if (str(s.path)) what = String(s.path);
  else if (str(s.query)) what = `the results of your query${via ? ` on “${via}”` : ""}`;
  else if (str(s.table)) {
    const db = DB_NAMES[String(s.type)] ?? "";
    const where = via
      ? `through “${via}”`
      : `in the ${db} database ${str(s.database) ?? ""}`.trim();
    what = `the table ${s.table} ${where}`;
  } else if (str(s.resourceType)) {
    what = `${s.resourceType} resources from ${str(s.baseUrl) ?? via ?? "the FHIR server"}`;
  } else if (str(s.url)) what = String(s.url);
  else what = via ? `from “${via}”` : "your source";
  if (!count) return `Read ${what}`;
  const n = count.rows.toLocaleString("en-US");
  const size = count.complete ? `${n} ${count.rows === 1 ? "row" : "rows"}` : `more than ${n} rows`;
  return `Read ${what} (${size})`;
}

/** "turn each row into a FHIR Patient with the Synthea mapping". */
function transformPart(draft: Draft): string {
  const t = draft.spec.transforms[0];
  if (!t) return "keep each row as it is";
  if (t.type === "normalize") return "clean up each row (tidy column names, typed values)";
  const resource = t.type === "fhir-immunization" ? "FHIR Immunization" : "FHIR Patient";
  const preset = t.preset === "generic"
    ? "the mapping suggested from your column names"
    : "the Synthea mapping";
  const changes = Object.keys((t.mapping as object | undefined) ?? {}).length;
  const changed = changes > 0 ? ` with ${changes} ${changes === 1 ? "change" : "changes"}` : "";
  return `turn each row into a ${resource} with ${preset}${changed}`;
}

/** Whether the draft's repository takes an output format (files, S3) or rows (databases). */
export function needsFormat(draft: Draft): boolean {
  return loaders.get(String(draft.spec.repository?.type ?? ""))?.needsFormat ?? true;
}

/** "write NDJSON to patients.ndjson in your files". */
function writePart(draft: Draft, connections: readonly ConnectionRecord[]): string {
  const r = draft.spec.repository ?? {};
  const format = formats.get(String(draft.spec.output?.format ?? ""))?.title ?? "the output";
  const via = connectionName(r, connections);
  switch (r.type) {
    case "file":
      return `write ${format} to ${str(r.path) ?? "a file"} in your files`;
    case "s3":
      return `write ${format} to ${
        via
          ? `the bucket of “${via}”`
          : `s3://${str(r.bucket) ?? "…"}/${str(r.key) ?? "{tenant}/{pipeline}/{run}/{date}.{ext}"}`
      }`;
    case "postgres":
    case "mysql":
    case "sqlite": {
      const table = `the table ${str(r.table) ?? "…"}`;
      const where = via
        ? `through “${via}”`
        : r.type === "sqlite"
        ? `in the SQLite file ${str(r.path) ?? "…"} in your files`
        : `of the ${DB_NAMES[r.type]} database ${str(r.database) ?? ""} on ${str(r.host) ?? "…"}`;
      const key = Array.isArray(r.key) ? r.key.join(", ") : "the key";
      const verb = r.mode === "upsert"
        ? `update or add rows by ${key} in`
        : r.mode === "replace"
        ? "replace the rows of"
        : "add the rows to";
      return `${verb} ${table} ${where}`;
    }
    default:
      return "write the results";
  }
}

/** The one-sentence summary of what a run of the draft will do. */
export function summarize(
  draft: Draft,
  count: RowCount | undefined,
  connections: readonly ConnectionRecord[] = [],
): string {
  const report = draft.spec.analytics?.enabled === false ? "make no report" : "make a basic report";
  return `${readPart(draft, count, connections)}, ${transformPart(draft)}, ${
    writePart(draft, connections)
  }, and ${report}.`;
}

/**
 * The pipeline spec the draft becomes (secrets still sealed). A database repository takes rows,
 * so the output format chosen earlier is left out for it.
 */
export function specOf(draft: Draft, name: string): Record<string, unknown> {
  const s = draft.spec;
  return {
    version: 1,
    name,
    source: s.source,
    transforms: s.transforms,
    ...(s.output && needsFormat(draft) ? { output: s.output } : {}),
    repository: s.repository,
    ...(s.options ? { options: s.options } : {}),
    ...(s.analytics ? { analytics: s.analytics } : {}),
  };
}
