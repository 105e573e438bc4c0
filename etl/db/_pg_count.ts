/**
 * The row count of a PostgreSQL source for a run's progress: `count(*)` over exactly the rows
 * the read gives (same table, filter or query, same `cursorColumn > since`), in a READ ONLY
 * transaction like the read, with `SET LOCAL statement_timeout` so a count never holds a run
 * up. Any failure is `undefined`: the read reports the real error.
 * @module
 */
import type { RunContext } from "../types.ts";
import type { DbConnection } from "./options.ts";
import { openPostgres, type PgSession } from "./postgres_client.ts";
import { buildCount, type ReadConfig } from "./_pg_read.ts";

/** How long the count statement may run before it is given up, by default. */
export const PG_COUNT_TIMEOUT_MS = 3000;

/**
 * How many rows a read from the start of `config` gives with `since`, or undefined when the
 * server cannot tell within `timeoutMs`, is unreachable, or refuses the statement. The
 * connection is always closed.
 *
 * @example
 * ```ts
 * await countPostgres(ctx, config, { since: "2024-03-01T00:00:00Z" }); // 1234, or undefined
 * ```
 */
export async function countPostgres(
  ctx: RunContext,
  config: DbConnection & ReadConfig,
  at: { since?: string },
  timeoutMs = PG_COUNT_TIMEOUT_MS,
): Promise<number | undefined> {
  if (ctx.signal.aborted) return undefined;
  let session: PgSession | undefined;
  const stop = () => void session?.close(true);
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    const plan = buildCount(config, at.since);
    session = await openPostgres(ctx, config);
    if (ctx.signal.aborted) return undefined;
    const rows = await session.sql.begin("read only", async (tx) => {
      await tx.unsafe(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      return await tx.unsafe(plan.text, plan.params);
    });
    const n = Number(rows[0]?.n);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    await session?.close();
  }
}
