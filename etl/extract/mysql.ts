/**
 * The MySQL / MariaDB source: a table (column list, filter) or one read-only query, streamed
 * with backpressure inside a READ ONLY transaction so memory stays flat on any table size.
 *
 * - Resumable: with `keyColumn` rows come in key order and the cursor is `{ lastKey }`; a
 *   resumed read starts after it (`WHERE key > lastKey`), so no row is read twice. Without a
 *   key the cursor is `{ offset }` (rows already read): resuming skips that many rows, which is
 *   only right when the rows and their order did not change in between (not crash-safe).
 * - Incremental: with `cursorColumn` only rows with `cursorColumn > since` are read, ordered by
 *   it (then the key); each batch carries the greatest value so far as `highWater`.
 * - Values: DECIMAL and BIGINT as exact strings, DATE as `YYYY-MM-DD`, DATETIME as the server
 *   writes it (`2024-03-01 10:20:30`, fraction as declared), TIMESTAMP the same way in UTC,
 *   TIME as text, JSON parsed, TINYINT(1) / BIT(1) as booleans, NULL as null; binary columns
 *   are refused unless `binary` is `base64`.
 * - Count (progress): `COUNT(*)` of the same rows, time-limited, undefined when it fails.
 * @module
 */
import type { FieldPacket } from "mysql2";
import { z } from "zod";
import { defineExtractor } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { rowBuilder } from "../row_builder.ts";
import type { Batch, Cursor, SourceRef } from "../types.ts";
import { DbConnection, DbSourceFields } from "../db/options.ts";
import { checkMySql, connectMySql, withMySql } from "../db/mysql_client.ts";
import { fieldReader } from "../db/_mysql_fields.ts";
import { assertReadOnly, baseSelect, describeSelect, readSelect } from "../db/_mysql_select.ts";
import { countMySql } from "../db/_mysql_count.ts";
import { mysqlCatalog } from "../db/_mysql_catalog.ts";

/** Config of the MySQL / MariaDB source: connection, what to read, binary handling. */
export const MySqlSourceConfig = DbConnection.extend({
  ...DbSourceFields,
  binary: z.enum(["refuse", "base64"]).default("refuse").describe(
    "Binary columns (BLOB, BINARY, VARBINARY): refuse them, or read them as base64 text",
  ),
}).superRefine((c, issue) => {
  const add = (path: string, message: string) =>
    issue.addIssue({ code: "custom", path: [path], message });
  if ((c.table === undefined) === (c.query === undefined)) {
    add("table", "give either a table or a query (exactly one of them)");
  }
  if (c.query !== undefined && c.columns) {
    add("columns", "columns apply to a table only: list them in the query instead");
  }
  if (c.query !== undefined && c.filter !== undefined) {
    add("filter", "a filter applies to a table only: put the condition in the query");
  }
  for (const [path, text] of [["query", c.query], ["filter", c.filter]] as const) {
    try {
      if (text !== undefined) assertReadOnly(text, path);
    } catch (err) {
      add(path, (err as Error).message);
    }
  }
});

/** A parsed MySQL source config. */
export type MySqlSourceConfig = z.output<typeof MySqlSourceConfig>;

/** The result's column names, repeated ones (a query's join) made unique as `id_2`. */
function uniqueNames(fields: readonly FieldPacket[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((f) => {
    const n = (seen.get(f.name) ?? 0) + 1;
    seen.set(f.name, n);
    return n === 1 ? f.name : `${f.name}_${n}`;
  });
}

const lastPart = (name: string) => name.split(".").pop()!;

function sqlContext(config: MySqlSourceConfig) {
  return { table: config.table, filter: config.filter, query: config.query };
}

/** The MySQL / MariaDB source. */
export const mysqlExtractor = defineExtractor({
  type: "mysql",
  title: "MySQL / MariaDB table",
  description:
    "A table or read-only query of a MySQL or MariaDB database, streamed in batches; resumable by a key column and incremental by a cursor column such as updated_at",
  config: MySqlSourceConfig,
  secrets: ["password"],
  fingerprint: () => Promise.resolve([]),
  count: (ctx, config, { since }) => countMySql(ctx, config, { since }),
  test: (ctx, config) => checkMySql(ctx, config),
  catalog: (ctx, config) => withMySql(ctx, config, mysqlCatalog),
  columns(ctx, config) {
    return withMySql(ctx, config, async (session) => {
      try {
        return uniqueNames(await describeSelect(session, baseSelect(config)));
      } catch (err) {
        throw session.error(err, sqlContext(config));
      }
    });
  },
  async *run(ctx, config, { from, batchSize, since }) {
    if (config.query !== undefined) assertReadOnly(config.query, "query");
    if (config.filter !== undefined) assertReadOnly(config.filter, "filter");
    const session = await connectMySql(ctx, config);
    const source = config.table ?? "query";
    let finished = false;
    try {
      // One snapshot for the whole read; and no statement in it can change data.
      await session.db.query("START TRANSACTION READ ONLY");
      const fields = await describeSelect(session, baseSelect(config));
      const readers = fields.map((f) => fieldReader(f, config.binary));
      const names = uniqueNames(fields);
      const toRow = rowBuilder(names, (values: unknown[], i) => readers[i](values[i]));
      const keyAt = config.keyColumn ? names.indexOf(lastPart(config.keyColumn)) : -1;
      const curAt = config.cursorColumn ? names.indexOf(lastPart(config.cursorColumn)) : -1;
      for (
        const [what, name, at] of [["key", config.keyColumn, keyAt], [
          "cursor",
          config.cursorColumn,
          curAt,
        ]] as const
      ) {
        if (name !== undefined && at < 0) {
          throw new ConfigError(
            `The ${what} column "${name}" is not among the columns read from ${source}: add it to the columns or the query`,
          );
        }
      }
      const sql = readSelect(config, fields, {
        since: config.cursorColumn ? since : undefined,
        from: keyAt >= 0 ? from : undefined,
      }, (v) => session.db.escape(v));
      let offset = keyAt >= 0 ? 0 : Number(from?.offset ?? 0);
      let skip = offset;
      let cursor: Cursor = keyAt >= 0 ? { ...from } : { offset };
      let highWater: string | undefined;
      let batch: Batch = { rows: [], refs: [], cursor };
      const stream = session.core.query({ sql, rowsAsArray: true })
        .stream({ highWaterMark: Math.min(batchSize, 10_000) });
      for await (const values of stream as AsyncIterable<unknown[]>) {
        // Rows already received keep coming after the socket is dropped: stop here.
        if (ctx.signal.aborted) return;
        if (skip > 0) {
          skip--;
          continue;
        }
        const row = toRow(values);
        let ref: SourceRef;
        if (keyAt >= 0) {
          const key = row[names[keyAt]];
          if (key === null || key === undefined) {
            throw new ConfigError(
              `A row of ${source} has no value in the key column "${config.keyColumn}": the key column must be unique and never empty`,
            );
          }
          ref = { source, key: String(key) };
          cursor = { lastKey: String(key) };
          if (curAt >= 0) {
            const c = row[names[curAt]];
            cursor.lastCursor = c === null || c === undefined ? null : String(c);
          }
        } else {
          ref = { source, index: offset };
          cursor = { offset: ++offset };
        }
        if (curAt >= 0) {
          const c = row[names[curAt]];
          if (c !== null && c !== undefined) highWater = String(c);
        }
        batch.rows.push(row);
        batch.refs.push(ref);
        if (batch.rows.length >= batchSize) {
          batch.cursor = cursor;
          if (highWater !== undefined) batch.highWater = highWater;
          yield batch;
          batch = { rows: [], refs: [], cursor };
        }
      }
      if (batch.rows.length > 0) {
        batch.cursor = cursor;
        if (highWater !== undefined) batch.highWater = highWater;
        yield batch;
      }
      await session.db.query("COMMIT");
      finished = true;
    } catch (err) {
      if (ctx.signal.aborted) return;
      throw session.error(err, sqlContext(config));
    } finally {
      // A half-read result keeps the connection busy: drop the socket rather than wait.
      if (finished) await session.close();
      else session.destroy();
    }
  },
});
