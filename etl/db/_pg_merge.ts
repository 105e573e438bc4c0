/**
 * The PostgreSQL repository's SQL: a staging table per run with the target's column types, and
 * the publish step that runs in one transaction — create the target when missing, check an
 * existing one, then append, replace or upsert from the staging table.
 * @module
 */
import type { Sql } from "./postgres_client.ts";
import { BATCH_COLUMN, stageGone } from "./_load_steps.ts";
import { quoteIdent, quoteName } from "./_pg_sql.ts";
import { inspectTarget, newTableTypes, type Target } from "./_pg_target.ts";

/** The column that keeps the staging rows' arrival order (the last of equal keys wins). */
export const SEQUENCE_COLUMN = "_pyxgen_seq";

/**
 * The staging table of a run, beside the target (same schema): `_pyxgen_stage_<run id as
 * lowercase letters and digits>`, so it is known by its run and fits PostgreSQL's 63 bytes.
 */
export function stagingName(runId: string, table: string): string {
  let id = runId.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 40);
  if (id === "") id = crypto.randomUUID().replaceAll("-", "");
  const dot = table.indexOf(".");
  const name = `_pyxgen_stage_${id}`;
  return dot === -1 ? name : `${table.slice(0, dot)}.${name}`;
}

/**
 * Drop any leftover staging table of this run (a first step tried again) and create it empty,
 * UNLOGGED, with the given column types (the target's, so COPY already parses and checks every
 * value), the batch number of each row and its arrival order.
 */
export async function createStaging(
  sql: Sql,
  stage: string,
  columns: readonly string[],
  types: readonly string[],
) {
  await sql.unsafe(`DROP TABLE IF EXISTS ${quoteIdent(stage)}`);
  const defs = columns.map((name, i) => `${quoteName(name)} ${types[i]}`);
  defs.push(`${BATCH_COLUMN} bigint NOT NULL DEFAULT 0`);
  defs.push(`${SEQUENCE_COLUMN} bigint GENERATED ALWAYS AS IDENTITY`);
  await sql.unsafe(`CREATE UNLOGGED TABLE ${quoteIdent(stage)} (${defs.join(", ")})`);
}

/**
 * Continue the staging table of an earlier step: it must still exist, the rows of batches after
 * `batches` (a step that crashed after its checkpoint) go, and the rows of the checkpoint must
 * still be there: an UNLOGGED table comes back empty after a server crash.
 */
export async function resumeStaging(
  sql: Sql,
  stage: string,
  batches: number,
  records: number,
): Promise<void> {
  const [{ oid }] = await sql.unsafe(`SELECT to_regclass($1)::oid AS oid`, [quoteIdent(stage)]);
  if (oid === null) throw stageGone(stage);
  const table = quoteIdent(stage);
  await sql.unsafe(`DELETE FROM ${table} WHERE ${BATCH_COLUMN} > $1`, [batches]);
  if (records > 0 && (await sql.unsafe(`SELECT 1 FROM ${table} LIMIT 1`)).length === 0) {
    throw stageGone(stage, "lost its rows, probably in a restart of the database server");
  }
}

/** What to publish, and how. */
export interface Publish extends Target {
  stage: string;
}

/** SQL error code of a failed statement, if any. */
const codeOf = (err: unknown) => (err as { code?: unknown })?.code;

/**
 * Move the staging rows into the target; call inside a transaction. Throws a ConfigError when
 * an existing table lacks columns, or has no unique index on the key for an upsert.
 */
export async function publish(sql: Sql, p: Publish): Promise<void> {
  const target = quoteIdent(p.table);
  const key = p.key ?? [];
  const existing = await inspectTarget(sql, p);
  const types = existing ?? newTableTypes(p);
  const typeOf = new Map(p.columns.map((c, i) => [c.name, types[i]]));
  const names = p.columns.map((c) => quoteName(c.name));
  // No-ops while the staging table has the target's types; they matter only when the target
  // was altered during the run.
  const casts = p.columns.map((c, i) => `s.${quoteName(c.name)}::${types[i]}`);
  const keyCasts = key.map((k) => `s.${quoteName(k)}::${typeOf.get(k)}`);
  const stage = quoteIdent(p.stage);
  const insert = `INSERT INTO ${target} (${names.join(", ")}) SELECT ${casts.join(", ")}
                  FROM ${stage} s`;
  // One row per key (the last one staged, by batch then arrival): sorting the wide rows costs more than the insert,
  // so it is the fallback for runs that staged a key twice.
  const deduplicated = `INSERT INTO ${target} (${names.join(", ")})
    SELECT DISTINCT ON (${keyCasts.join(", ")}) ${casts.join(", ")} FROM ${stage} s
    ORDER BY ${keyCasts.join(", ")}, s.${BATCH_COLUMN} DESC, s.${SEQUENCE_COLUMN} DESC`;
  const primaryKey = `PRIMARY KEY (${key.map(quoteName).join(", ")})`;
  const defs = p.columns.map((c, i) => `${quoteName(c.name)} ${types[i]}`).join(", ");

  if (existing === undefined) {
    // The primary key is built once after the insert, cheaper than row by row; a key staged
    // twice fails there (append, replace) or sends an upsert to the deduplicating insert.
    if (key.length === 0) {
      await sql.unsafe(`CREATE TABLE ${target} (${defs})`);
      await sql.unsafe(insert);
    } else if (p.mode !== "upsert") {
      await sql.unsafe(`CREATE TABLE ${target} (${defs})`);
      await sql.unsafe(insert);
      await sql.unsafe(`ALTER TABLE ${target} ADD ${primaryKey}`);
    } else {
      await attempt(
        sql,
        async () => {
          await sql.unsafe(`CREATE TABLE ${target} (${defs})`);
          await sql.unsafe(insert);
          await sql.unsafe(`ALTER TABLE ${target} ADD ${primaryKey}`);
        },
        "23505",
        async () => {
          await sql.unsafe(`CREATE TABLE ${target} (${defs}, ${primaryKey})`);
          await sql.unsafe(deduplicated);
        },
      );
    }
    await sql.unsafe(`DROP TABLE ${stage}`);
    return;
  }
  if (p.mode === "replace") await sql.unsafe(`DELETE FROM ${target}`);
  if (p.mode !== "upsert") {
    await sql.unsafe(insert);
  } else {
    const others = p.columns.filter((c) => !key.includes(c.name)).map((c) => quoteName(c.name));
    const conflict = ` ON CONFLICT (${key.map(quoteName).join(", ")}) ${
      others.length
        ? `DO UPDATE SET ${others.map((n) => `${n} = EXCLUDED.${n}`).join(", ")}`
        : "DO NOTHING"
    }`;
    // PostgreSQL refuses (21000) to update a row twice in one statement: only then sort.
    await attempt(
      sql,
      () => sql.unsafe(insert + conflict),
      "21000",
      () => sql.unsafe(deduplicated + conflict),
    );
  }
  await sql.unsafe(`DROP TABLE ${stage}`);
}

/** Run `fast` under a savepoint; when it fails with `code`, undo it and run `slow` instead. */
async function attempt(
  sql: Sql,
  fast: () => Promise<unknown>,
  code: string,
  slow: () => Promise<unknown>,
): Promise<void> {
  await sql.unsafe("SAVEPOINT pyxgen_fast");
  try {
    await fast();
  } catch (err) {
    if (codeOf(err) !== code) throw err;
    await sql.unsafe("ROLLBACK TO SAVEPOINT pyxgen_fast");
    await slow();
  }
  await sql.unsafe("RELEASE SAVEPOINT pyxgen_fast");
}
