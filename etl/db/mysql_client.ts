/**
 * Connections to MySQL / MariaDB for the `mysql` source and repository: the host guard first,
 * then one mysql2 connection with the settings that keep values exact (utf8mb4, dates as text,
 * big integers and DECIMAL as strings, session time zone UTC), closed on abort.
 * @module
 */
import { connect as netConnect } from "node:net";
import type { Connection as CoreConnection } from "mysql2";
import type mysql from "mysql2/promise";
import { assertPublicHost } from "../net/guard.ts";
import type { ConnectionCheck, RunContext } from "../types.ts";
import type { DbConnection } from "./options.ts";
import { mysqlError, type SqlContext } from "./_mysql_errors.ts";

export { endpoint, mysqlError, type SqlContext } from "./_mysql_errors.ts";

/** The default MySQL / MariaDB port. */
export const MYSQL_PORT = 3306;

/** mysql2, loaded at the first connection: ~30 MB that a process without MySQL never pays. */
let driver: Promise<typeof mysql> | undefined;

function loadMySql(): Promise<typeof mysql> {
  driver ??= import("mysql2/promise").then((m) => m.default);
  return driver;
}

/** An open connection: the promise API for statements, the core one for streaming. */
export interface MySqlSession {
  db: mysql.Connection;
  core: CoreConnection;
  config: DbConnection;
  /** Wrap a driver error into a ConfigError / RetriableError / FatalRunError for the user. */
  error(err: unknown, sql?: SqlContext): Error;
  /** Close politely; destroys the socket when a statement is still running. */
  close(): Promise<void>;
  /** Drop the socket at once (abort, a stream left half read). */
  destroy(): void;
}

function sslOptions(config: DbConnection): mysql.ConnectionOptions["ssl"] {
  if (config.tls === "off") return undefined;
  if (config.tls === "require") return { rejectUnauthorized: false };
  return { ca: config.ca, rejectUnauthorized: true, verifyIdentity: true };
}

/**
 * Connect after checking the host against the private-network policy. The socket goes to the
 * address that was checked (no second DNS look-up a rebinding attack could answer), while the
 * host name stays the TLS server name.
 *
 * @example
 * ```ts
 * const s = await connectMySql(ctx, config);
 * try { await s.db.query("SELECT 1"); } finally { await s.close(); }
 * ```
 */
export async function connectMySql(ctx: RunContext, config: DbConnection): Promise<MySqlSession> {
  const [address] = await assertPublicHost(config.host, ctx.allowPrivateNetwork);
  const port = config.port ?? MYSQL_PORT;
  const error = (err: unknown, sql?: SqlContext) => mysqlError(err, config, sql);
  const { createConnection } = await loadMySql();
  let db: mysql.Connection;
  try {
    db = await createConnection({
      host: config.host.replace(/^\[|\]$/g, ""),
      port,
      user: config.user,
      password: config.password,
      database: config.database,
      charset: "utf8mb4",
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      connectTimeout: config.connectTimeoutSeconds * 1000,
      ssl: sslOptions(config),
      stream: () => netConnect({ host: address, port, noDelay: true }),
    });
  } catch (err) {
    throw error(err);
  }
  const core = (db as unknown as { connection: CoreConnection }).connection;
  // A socket error while no statement runs is emitted as an event: without a listener it would
  // crash the process; the next statement reports it instead.
  core.on("error", () => {});
  let closed = false;
  const destroy = () => {
    if (closed) return;
    closed = true;
    ctx.signal.removeEventListener("abort", destroy);
    db.destroy();
  };
  ctx.signal.addEventListener("abort", destroy);
  try {
    // UTC so TIMESTAMP values read and write without drift; mysql2 escapes with backslashes,
    // which NO_BACKSLASH_ESCAPES would turn into literal text.
    await db.query(
      "SET time_zone = '+00:00', sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')",
    );
  } catch (err) {
    destroy();
    throw error(err);
  }
  return {
    db,
    core,
    config,
    error,
    destroy,
    async close() {
      if (closed) return;
      closed = true;
      ctx.signal.removeEventListener("abort", destroy);
      await db.end().catch(() => db.destroy());
    },
  };
}

/** Run `fn` on a fresh connection and close it whatever happens; errors become user errors. */
export async function withMySql<T>(
  ctx: RunContext,
  config: DbConnection,
  fn: (session: MySqlSession) => Promise<T>,
): Promise<T> {
  const session = await connectMySql(ctx, config);
  try {
    return await fn(session);
  } catch (err) {
    throw session.error(err);
  } finally {
    await session.close();
  }
}

/**
 * "Test connection": `Connected to MariaDB 10.11.19 as root, database test`.
 */
export function checkMySql(ctx: RunContext, config: DbConnection): Promise<ConnectionCheck> {
  return withMySql(ctx, config, async ({ db }) => {
    const [rows] = await db.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
    const raw = String(rows[0].v);
    const product = /mariadb/i.test(raw) ? "MariaDB" : "MySQL";
    const version = raw.match(/^\d+(\.\d+)*/)?.[0] ?? raw;
    return {
      message: `Connected to ${product} ${version} as ${config.user}, database ${config.database}`,
    };
  });
}

/** A MySQL identifier in backticks; `db.table` becomes `` `db`.`table` ``. */
export function quoteName(name: string): string {
  return name.split(".").map(quoteIdent).join(".");
}

/** One identifier in backticks, backticks doubled. */
export function quoteIdent(name: string): string {
  return "`" + name.replaceAll("`", "``") + "`";
}
