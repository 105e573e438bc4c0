/**
 * The PostgreSQL source: a table (optional columns and filter) or one read-only query, streamed
 * through a server-side portal in batches inside a READ ONLY transaction, on one connection that
 * is always closed. With `keyColumn` the read is in key order and resumes after the last key
 * (crash-safe); without it the cursor is a row offset, which is only exact when nothing changed
 * in between. With `cursorColumn` each run reads only rows newer than the last run's high-water
 * mark. Values stay faithful: numeric as exact text, int8 as a number when it is exact in JS
 * (else text), dates and timestamps as ISO text (timestamptz in UTC with `Z`), json as values.
 * For progress, `count` gives `count(*)` of the same rows (time-limited; undefined on failure).
 * @module
 */
import { z } from "zod";
import { defineExtractor } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { rowBuilder } from "../row_builder.ts";
import type { Batch, Cursor, Row, SourceRef } from "../types.ts";
import { DbConnection, DbSourceFields } from "../db/options.ts";
import { checkPostgres, openPostgres, type PgWhere } from "../db/postgres_client.ts";
import { listPostgresTables } from "../db/_pg_catalog.ts";
import { buildRead } from "../db/_pg_read.ts";
import { countPostgres } from "../db/_pg_count.ts";
import { type BinaryMode, OID } from "../db/_pg_types.ts";

/** Config of the PostgreSQL source. */
export const PostgresSourceConfig = DbConnection.extend({
  ...DbSourceFields,
  binary: z.enum(["refuse", "base64"]).default("refuse").describe(
    "Binary (bytea) columns: refuse (the run stops and names the column) or base64 (read as base64 text)",
  ),
}).superRefine((config, ctx) => {
  if ((config.table === undefined) === (config.query === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["table"],
      message: "give either a table or a query (exactly one of them)",
    });
  }
  if (config.query !== undefined) {
    for (const field of ["columns", "filter"] as const) {
      if (config[field] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${field} can only be used with a table; write it into the query instead`,
        });
      }
    }
  }
});

/** A parsed PostgreSQL source config. */
export type PostgresSourceConfig = z.output<typeof PostgresSourceConfig>;

interface ColumnInfo {
  name: string;
  type: number;
}

function whereOf(config: PostgresSourceConfig): PgWhere {
  return {
    table: config.table,
    filter: config.filter,
    query: config.query !== undefined,
    action: "read",
  };
}

/** Refuse bytea unless asked for base64, naming the column; returns unique row keys. */
function rowNames(columns: readonly ColumnInfo[], binary: BinaryMode): string[] {
  const blob = columns.find((c) => c.type === OID.bytea || c.type === OID.byteaArray);
  if (blob && binary === "refuse") {
    throw new ConfigError(
      `The column "${blob.name}" holds binary data (bytea), which is not read by default: leave it out of the columns, or set binary to "base64" to read it as base64 text`,
    );
  }
  const seen = new Map<string, number>();
  return columns.map(({ name }) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

/** Key and cursor values as cursor text: exact, JSON-safe. */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The PostgreSQL source. */
export const postgresExtractor = defineExtractor({
  type: "postgres",
  title: "PostgreSQL table",
  description:
    "A table or a read-only query of a PostgreSQL database, read in batches; resumable with a key column, incremental with a cursor column such as updated_at",
  config: PostgresSourceConfig,
  secrets: ["password"],
  fingerprint: () => Promise.resolve([]),
  count: (ctx, config, { since }) => countPostgres(ctx, config, { since }),
  test: checkPostgres,
  async catalog(ctx, config) {
    const session = await openPostgres(ctx, config);
    try {
      return await listPostgresTables(session.sql);
    } catch (err) {
      throw session.fail(err);
    } finally {
      await session.close();
    }
  },
  async columns(ctx, config) {
    const plan = buildRead(config, {});
    const session = await openPostgres(ctx, config, { binary: config.binary });
    try {
      const described = await session.sql.unsafe(plan.text, plan.params).describe();
      return rowNames(described.columns as unknown as ColumnInfo[], config.binary);
    } catch (err) {
      throw session.fail(err, whereOf(config));
    } finally {
      await session.close();
    }
  },
  async *run(ctx, config, options) {
    const plan = buildRead(config, options);
    if (ctx.signal.aborted) return;
    const session = await openPostgres(ctx, config, { binary: config.binary });
    const stop = () => void session.close(true);
    ctx.signal.addEventListener("abort", stop, { once: true });
    const source = config.table ?? "query";
    const from: Cursor = options.from ?? {};
    let offset = plan.offset;
    let high = typeof from.highWater === "string" ? from.highWater : options.since;
    let toRow: ((values: unknown[]) => Row) | undefined;
    let keyAt = -1;
    let markAt = -1;
    try {
      await session.sql.unsafe("BEGIN TRANSACTION READ ONLY");
      const portal = session.sql.unsafe(plan.text, plan.params).values();
      for await (const chunk of portal.cursor(options.batchSize)) {
        if (toRow === undefined) {
          const columns = (chunk as unknown as { columns: ColumnInfo[] }).columns;
          const names = rowNames(columns, config.binary);
          toRow = rowBuilder(names, (values: unknown[], i) => values[i]);
          keyAt = config.keyColumn ? columns.findIndex((c) => c.name === config.keyColumn) : -1;
          markAt = config.cursorColumn
            ? columns.findIndex((c) => c.name === config.cursorColumn)
            : -1;
        }
        const values = chunk as unknown as unknown[][];
        const rows: Row[] = new Array(values.length);
        const refs: SourceRef[] = new Array(values.length);
        let lastKey: string | null = null;
        let lastMark: string | null = null;
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          rows[i] = toRow(v);
          if (keyAt >= 0) {
            lastKey = textOf(v[keyAt]);
            if (lastKey === null) {
              throw new ConfigError(
                `A row of ${source} has no value in the key column "${config.keyColumn}": choose a key column that is never empty`,
              );
            }
            refs[i] = { source, key: lastKey };
          } else {
            refs[i] = { source, index: offset + i };
          }
          if (markAt >= 0) {
            lastMark = textOf(v[markAt]);
            if (lastMark !== null) high = lastMark;
          }
        }
        offset += values.length;
        const cursor: Cursor = keyAt >= 0 ? { lastKey } : { offset };
        if (markAt >= 0) {
          if (keyAt >= 0) cursor.lastCursor = lastMark;
          cursor.highWater = high ?? null;
        }
        const batch: Batch = { rows, refs, cursor };
        if (high !== undefined && markAt >= 0) batch.highWater = high;
        yield batch;
        if (ctx.signal.aborted) return;
      }
      await session.sql.unsafe("COMMIT");
    } catch (err) {
      if (ctx.signal.aborted) return;
      throw session.fail(err, whereOf(config));
    } finally {
      ctx.signal.removeEventListener("abort", stop);
      await session.close();
    }
  },
});
