/**
 * The PostgreSQL repository's SQL: a text staging table per run, and the publish step that runs
 * in one transaction — create the target when missing, check an existing one, then append,
 * replace or upsert from the staging table with casts to the target's real column types.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Column, ColumnType } from "../types.ts";
import type { Sql } from "./postgres_client.ts";
import { quoteIdent, quoteName } from "./_pg_sql.ts";

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
 * Column types of a table the repository creates. `datetime` is `timestamptz`: the engine's
 * date-times carry their offset (`…Z`, `…+02:00`), which `timestamp` would silently drop;
 * values without an offset are read as UTC (the session's time zone).
 */
export const PG_TYPES: Record<ColumnType, string> = {
  string: "text",
  integer: "bigint",
  decimal: "numeric",
  boolean: "boolean",
  date: "date",
  datetime: "timestamptz",
  json: "jsonb",
};

/** Drop any leftover staging table of this run and create it empty: text columns. */
export async function createStaging(sql: Sql, stage: string, columns: readonly string[]) {
  await sql.unsafe(`DROP TABLE IF EXISTS ${quoteIdent(stage)}`);
  const defs = columns.map((name) => `${quoteName(name)} text`);
  defs.push(`${SEQUENCE_COLUMN} bigint GENERATED ALWAYS AS IDENTITY`);
  await sql.unsafe(`CREATE UNLOGGED TABLE ${quoteIdent(stage)} (${defs.join(", ")})`);
}

/** What to publish, and how. */
export interface Publish {
  table: string;
  stage: string;
  columns: readonly Column[];
  /** The column holding a FHIR resource (stored as jsonb). */
  resource?: string;
  mode: "append" | "replace" | "upsert";
  key?: readonly string[];
}

/** Column name → type as PostgreSQL formats it, or undefined when the table does not exist. */
async function targetColumns(sql: Sql, table: string): Promise<Map<string, string> | undefined> {
  const [{ oid }] = await sql.unsafe(`SELECT to_regclass($1)::oid AS oid`, [quoteIdent(table)]);
  if (oid === null) return undefined;
  const rows = await sql.unsafe(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_catalog.pg_attribute
     WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped`,
    [String(oid)],
  );
  return new Map(rows.map((r) => [String(r.name), String(r.type)]));
}

async function hasUniqueIndex(sql: Sql, table: string, key: readonly string[]): Promise<boolean> {
  const rows = await sql.unsafe(
    `SELECT array(SELECT a.attname::text FROM unnest(i.indkey) k
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS cols
     FROM pg_catalog.pg_index i
     WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`,
    [quoteIdent(table)],
  );
  const wanted = [...key].sort().join("\0");
  return rows.some((r) => [...(r.cols as string[])].sort().join("\0") === wanted);
}

/**
 * Move the staging rows into the target; call inside a transaction. Throws a ConfigError when
 * an existing table lacks columns, or has no unique index on the key for an upsert.
 */
export async function publish(sql: Sql, p: Publish): Promise<void> {
  const target = quoteIdent(p.table);
  const key = p.key ?? [];
  let types = await targetColumns(sql, p.table);
  if (types === undefined) {
    const defs = p.columns.map((c) =>
      `${quoteName(c.name)} ${c.name === p.resource ? "jsonb" : PG_TYPES[c.type]}`
    );
    if (key.length) defs.push(`PRIMARY KEY (${key.map(quoteName).join(", ")})`);
    await sql.unsafe(`CREATE TABLE ${target} (${defs.join(", ")})`);
    types = new Map(
      p.columns.map((c) => [c.name, c.name === p.resource ? "jsonb" : PG_TYPES[c.type]]),
    );
  } else {
    const missing = p.columns.map((c) => c.name).filter((name) => !types!.has(name));
    if (missing.length) {
      throw new ConfigError(
        `The table "${p.table}" has no column ${
          missing.map((m) => `"${m}"`).join(", ")
        }: add the column(s) to the table or map the data to its columns`,
      );
    }
    if (p.mode === "upsert" && !(await hasUniqueIndex(sql, p.table, key))) {
      throw new ConfigError(
        `The table "${p.table}" has no primary key or unique index on (${
          key.join(", ")
        }), which upsert needs: add one, or use mode "append" or "replace"`,
      );
    }
  }
  const names = p.columns.map((c) => quoteName(c.name));
  const casts = p.columns.map((c) => `s.${quoteName(c.name)}::${types!.get(c.name)}`);
  const stage = quoteIdent(p.stage);
  if (p.mode === "replace") await sql.unsafe(`DELETE FROM ${target}`);
  let select = `SELECT ${casts.join(", ")} FROM ${stage} s`;
  let conflict = "";
  if (p.mode === "upsert") {
    const keyCasts = key.map((k) => `s.${quoteName(k)}::${types!.get(k)}`);
    // One row per key (the last one staged), or PostgreSQL refuses to update a row twice.
    select = `SELECT DISTINCT ON (${keyCasts.join(", ")}) ${casts.join(", ")} FROM ${stage} s
              ORDER BY ${keyCasts.join(", ")}, s.${SEQUENCE_COLUMN} DESC`;
    const others = p.columns.filter((c) => !key.includes(c.name)).map((c) => quoteName(c.name));
    conflict = ` ON CONFLICT (${key.map(quoteName).join(", ")}) ${
      others.length
        ? `DO UPDATE SET ${others.map((n) => `${n} = EXCLUDED.${n}`).join(", ")}`
        : "DO NOTHING"
    }`;
  }
  await sql.unsafe(`INSERT INTO ${target} (${names.join(", ")}) ${select}${conflict}`);
  await sql.unsafe(`DROP TABLE ${stage}`);
}
