/**
 * What the source step asks of a draft's source: Test connection, the tables it can read, and a
 * preview of its first 20 rows with the type inferred for each column. The source is used as a
 * run would use it: secrets and a saved connection opened inside the server (never shown), the
 * tenant's own input folder, and the deployment's private-network rule. Every answer is a
 * sentence, never a stack trace or a secret.
 * @module
 */
import {
  type ConnectionAnswer,
  connectionContext,
  listCatalog,
  testConnection,
} from "../../etl/connections.ts";
import {
  getConnection,
  listSavedTables,
  probeStep,
  redactSecrets,
  type TablesAnswer,
  testSavedConnection,
} from "../../connections/mod.ts";
import { ConfigError, userMessage } from "../../etl/errors.ts";
import { extractors } from "../../etl/extract/mod.ts";
import { stepConfig, zodProblems } from "../../etl/spec.ts";
import { inferType } from "../../etl/transform/coerce.ts";
import type { ColumnType, Row, RunContext } from "../../etl/types.ts";
import type { AppDeps } from "../../routes/deps.ts";
import { VaultError } from "../../vault/errors.ts";
import { inputRootOf } from "../uploads.ts";

/** Rows the preview shows. */
export const PREVIEW_ROWS = 20;

/** The first rows of a source, their columns and inferred types, and lines it could not use. */
export interface Preview {
  columns: string[];
  rows: Row[];
  types: Record<string, ColumnType>;
  /** Records the source could not turn into rows (ragged CSV lines, bad JSON), with the reason. */
  rejected: { line?: number; reason: string }[];
}

/** A preview, or why there is none: settings incomplete (`problems`) or the read failed. */
export type PreviewAnswer =
  | { ok: true; preview: Preview }
  | { ok: false; message: string; problems: string[] };

type Step = Record<string, unknown>;

/** A context for reading the tenant's source outside a run. */
export function sourceContext(deps: AppDeps, tenant: string): RunContext {
  const e = deps.engine;
  return {
    ...connectionContext({ allowPrivateNetwork: e.allowPrivateNetwork, tenant }),
    inputRoot: inputRootOf(deps, tenant),
    outputRoot: inputRootOf(deps, tenant),
  };
}

/** `source` (as the draft stores it) with a saved connection filled in and secrets opened. */
async function opened(deps: AppDeps, tenant: string, source: Step): Promise<Step> {
  if (!deps.engine.secrets) return source;
  const spec = await deps.engine.secrets.open(tenant, { source }) as { source: Step };
  return spec.source;
}

/** The secret values of an opened source, to keep them out of messages. */
function secretsOf(step: Step): unknown[] {
  return (extractors.get(String(step.type))?.secrets ?? []).map((n) => step[n]);
}

/** The saved connection a source names, when it is this tenant's source connection. */
async function savedConnection(deps: AppDeps, tenant: string, source: Step) {
  if (typeof source.connection !== "string" || !deps.vault) return undefined;
  const record = await getConnection(deps.engine.kv, tenant, source.connection);
  return record?.kind === "source" ? record : undefined;
}

const failed = (err: unknown, secrets: unknown[] = []) => ({
  ok: false as const,
  message: redactSecrets(
    err instanceof VaultError ? err.message : userMessage(err),
    secrets,
  ),
});

/** "Test connection" for the source: a saved connection, or the settings typed. */
export async function testSource(
  deps: AppDeps,
  tenant: string,
  source: Step,
): Promise<ConnectionAnswer> {
  const options = { allowPrivateNetwork: deps.engine.allowPrivateNetwork };
  try {
    const record = await savedConnection(deps, tenant, source);
    if (record) return await testSavedConnection(deps.vault!, tenant, record, options);
    const step = await opened(deps, tenant, source);
    const answer = await testConnection(
      "source",
      probeStep("source", step),
      sourceContext(deps, tenant),
    );
    return { ok: answer.ok, message: redactSecrets(answer.message, secretsOf(step)) };
  } catch (err) {
    return failed(err);
  }
}

/** The tables (and columns) the source's database can read. */
export async function tablesOf(deps: AppDeps, tenant: string, source: Step): Promise<TablesAnswer> {
  const options = { allowPrivateNetwork: deps.engine.allowPrivateNetwork };
  try {
    const record = await savedConnection(deps, tenant, source);
    if (record) return await listSavedTables(deps.vault!, tenant, record, options);
    const step = await opened(deps, tenant, source);
    const answer = await listCatalog(probeStep("source", step), sourceContext(deps, tenant));
    return answer.ok ? answer : failed(answer.message, secretsOf(step));
  } catch (err) {
    return failed(err);
  }
}

const NULLS = new Set(["", "null", "n/a"]);

/** The type every sampled value of `column` fits (empty values and NULL / N/A left out). */
export function columnType(rows: Row[], column: string): ColumnType {
  const values = rows.map((r) => r[column]).map((v) => typeof v === "string" ? v.trim() : v)
    .filter((v) =>
      v !== null && v !== undefined && !(typeof v === "string" && NULLS.has(v.toLowerCase()))
    );
  return inferType(values, "mdy");
}

/**
 * Read the first {@link PREVIEW_ROWS} rows of `source` with its extractor (batches of 20, as the
 * planner samples a source) and infer each column's type.
 */
export async function previewSource(
  deps: AppDeps,
  tenant: string,
  source: Step,
): Promise<PreviewAnswer> {
  let secrets: unknown[] = [];
  try {
    const step = await opened(deps, tenant, source);
    secrets = secretsOf(step);
    const entry = extractors.get(String(step.type ?? ""));
    if (!entry) throw new ConfigError(`Choose the type of data first.`);
    const parsed = entry.config.safeParse(stepConfig(step, "type"));
    if (!parsed.success) {
      return {
        ok: false,
        message: "Some settings are missing or not valid; see the fields above.",
        problems: zodProblems(parsed.error, "source"),
      };
    }
    const ctx = sourceContext(deps, tenant);
    const rows: Row[] = [];
    const rejected: Preview["rejected"] = [];
    let batches = 0;
    for await (const batch of entry.run(ctx, parsed.data, { batchSize: PREVIEW_ROWS })) {
      rows.push(...batch.rows);
      for (const r of batch.rejected ?? []) rejected.push({ line: r.ref.line, reason: r.reason });
      // A file with many bad lines in a row still answers quickly.
      if (rows.length >= PREVIEW_ROWS || ++batches >= 10) break;
    }
    const sample = rows.slice(0, PREVIEW_ROWS);
    let columns = [...new Set(sample.flatMap((r) => Object.keys(r)))];
    if (columns.length === 0 && entry.columns) columns = await entry.columns(ctx, parsed.data);
    const types = Object.fromEntries(columns.map((c) => [c, columnType(sample, c)]));
    return { ok: true, preview: { columns, rows: sample, types, rejected } };
  } catch (err) {
    return { ...failed(err, secrets), problems: [] };
  }
}
