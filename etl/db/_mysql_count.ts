/**
 * The row count of a MySQL / MariaDB source for a run's progress: `COUNT(*)` over exactly the
 * rows the read gives (same table, filter or query, same `cursorColumn > since`), under the
 * same rules as the read (read-only checks, READ ONLY transaction) and a statement time limit,
 * so a count never holds a run up. Any failure is `undefined`: the read reports the real error.
 * @module
 */
import type mysql from "mysql2/promise";
import type { RunContext } from "../types.ts";
import type { DbConnection } from "./options.ts";
import { connectMySql } from "./mysql_client.ts";
import {
  assertReadOnly,
  baseSelect,
  countSelect,
  describeSelect,
  type ReadSpec,
} from "./_mysql_select.ts";

/** How long the COUNT statement may run before it is given up, by default. */
export const MYSQL_COUNT_TIMEOUT_MS = 3000;

/**
 * `statement` with a server-side time limit: MariaDB's `SET STATEMENT max_statement_time=…
 * FOR`, MySQL's `MAX_EXECUTION_TIME` optimizer hint (a top-level SELECT only, which it is).
 */
export function withTimeLimit(statement: string, mariadb: boolean, timeoutMs: number): string {
  if (mariadb) {
    return `SET STATEMENT max_statement_time=${timeoutMs / 1000} FOR ${statement}`;
  }
  return statement.replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${timeoutMs}) */ `);
}

/**
 * How many rows a read from the start of `spec` gives with `since` (used only with a cursor
 * column, as the read does), or undefined when the server cannot tell within `timeoutMs`, is
 * unreachable, or refuses the statement. The connection is always closed.
 *
 * @example
 * ```ts
 * await countMySql(ctx, config, { since: "2024-03-01 00:00:00" }); // 1234, or undefined
 * ```
 */
export async function countMySql(
  ctx: RunContext,
  config: DbConnection & ReadSpec,
  at: { since?: string },
  timeoutMs = MYSQL_COUNT_TIMEOUT_MS,
): Promise<number | undefined> {
  if (ctx.signal.aborted) return undefined;
  try {
    if (config.query !== undefined) assertReadOnly(config.query, "query");
    if (config.filter !== undefined) assertReadOnly(config.filter, "filter");
  } catch {
    return undefined;
  }
  const since = config.cursorColumn ? at.since : undefined;
  let session;
  try {
    session = await connectMySql(ctx, config);
  } catch {
    return undefined;
  }
  let finished = false;
  try {
    const { db } = session;
    await db.query("START TRANSACTION READ ONLY");
    const [version] = await db.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
    // The fields only type the high-water mark's literal: describe when there is one.
    const fields = since !== undefined ? await describeSelect(session, baseSelect(config)) : [];
    const sql = countSelect(config, fields, { since }, (v) => db.escape(v));
    const mariadb = /mariadb/i.test(String(version[0]?.v));
    const [rows] = await db.query<mysql.RowDataPacket[]>(withTimeLimit(sql, mariadb, timeoutMs));
    await db.query("COMMIT");
    finished = true;
    const n = Number(rows[0]?.n);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  } finally {
    if (finished) await session.close();
    else session.destroy();
  }
}
