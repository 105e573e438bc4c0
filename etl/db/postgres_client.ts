/**
 * One PostgreSQL connection for a source or repository: host guard first, TLS as configured,
 * session settings that keep values faithful (UTC, ISO dates, hex bytea), a hard deadline on
 * connecting, and server errors turned into one sentence a data manager can act on.
 * @module
 */
import { connect as netConnect, isIP, type Socket } from "node:net";
import type postgres from "postgres";
import { ConfigError, FatalRunError, RetriableError } from "../errors.ts";
import { assertPublicHost } from "../net/guard.ts";
import type { ConnectionCheck, RunContext } from "../types.ts";
import type { DbConnection } from "./options.ts";
import { type BinaryMode, pgTypes } from "./_pg_types.ts";

/** A postgres.js client. */
export type Sql = postgres.Sql;

/** postgres.js, loaded at the first connection: ~15 MB a process without PostgreSQL never pays. */
let driver: Promise<typeof postgres> | undefined;

function loadPostgres(): Promise<typeof postgres> {
  driver ??= import("postgres").then((m) => m.default);
  return driver;
}

/** What an error message may mention besides the connection. */
export interface PgWhere {
  /** The table being read or written. */
  table?: string;
  /** The source's filter condition. */
  filter?: string;
  /** Set when a user's query is run. */
  query?: boolean;
  /** What the user was doing, for "permission denied": read or write. */
  action?: "read" | "write";
  /** The value a COPY refused, as `column "x" of the row of file.csv at line 3`. */
  row?: string;
}

/** An open connection and what the server said about itself. */
export interface PgSession {
  sql: Sql;
  /** `15.20`, the connected user and database. */
  server: { version: string; user: string; database: string };
  /** Turn any error of this session into a ConfigError / RetriableError / FatalRunError. */
  fail(err: unknown, where?: PgWhere): Error;
  /** Close the connection; `now` drops a running query instead of waiting for it. */
  close(now?: boolean): Promise<void>;
}

/** `host:port` as the user wrote it. */
export function hostPort(config: DbConnection): string {
  return `${config.host}:${config.port ?? 5432}`;
}

function tlsOption(config: DbConnection): false | Record<string, unknown> {
  if (config.tls === "off") return false;
  const servername = isIP(config.host.replace(/^\[|\]$/g, "")) ? {} : { servername: config.host };
  return config.tls === "require"
    ? { rejectUnauthorized: false, ...servername }
    : { rejectUnauthorized: true, ...(config.ca ? { ca: config.ca } : {}), ...servername };
}

/**
 * A TCP connection with Nagle's algorithm off, for postgres.js (which leaves it on): every COPY
 * and every statement then waited ~40 ms for the server's delayed ACK of its last packet
 * (200 COPYs of 5,000 rows: 11.1 s with it on, 2.3 s off).
 */
function noDelaySocket(host: string, port: number, timeoutMs: number): () => Promise<Socket> {
  return () =>
    new Promise((resolve, reject) => {
      const socket = netConnect({ host, port, noDelay: true });
      // postgres.js times the connection only once it has the socket: a host that never
      // answers is timed here, and its socket destroyed so it keeps nothing alive.
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error("connect timeout"), { code: "CONNECT_TIMEOUT" }));
      }, timeoutMs);
      const failed = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once("error", failed);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", failed);
        resolve(socket);
      });
    });
}

/**
 * Connect (one connection) and ask the server its version, user and database. Throws the
 * translated error; the connection is closed on failure.
 */
export async function openPostgres(
  ctx: RunContext,
  config: DbConnection,
  options: { binary?: BinaryMode } = {},
): Promise<PgSession> {
  const addresses = await assertPublicHost(config.host, ctx.allowPrivateNetwork);
  const port = config.port ?? 5432;
  const connect = await loadPostgres();
  // Connect to the address the guard checked, not a second DNS answer (rebinding).
  const sql = connect({
    host: [addresses[0]],
    port: [port],
    socket: noDelaySocket(addresses[0], port, config.connectTimeoutSeconds * 1000),
    database: config.database,
    user: config.user,
    // A function, so an empty password never falls back to the server's PGPASSWORD.
    pass: () => config.password,
    ssl: tlsOption(config),
    max: 1,
    connect_timeout: config.connectTimeoutSeconds,
    idle_timeout: 0,
    max_lifetime: 0,
    prepare: false,
    fetch_types: true,
    onnotice: () => {},
    connection: {
      application_name: "PyxGen Portal",
      TimeZone: "UTC",
      DateStyle: "ISO, MDY",
      bytea_output: "hex",
    },
    types: pgTypes(options.binary ?? "refuse"),
  } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
  const close = async (now = false) => {
    await sql.end({ timeout: now ? 0 : 2 }).catch(() => {});
  };
  const fail = (err: unknown, where: PgWhere = {}) => pgError(err, config, where);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error("deadline"), { code: "CONNECT_TIMEOUT" })),
        config.connectTimeoutSeconds * 1000,
      );
    });
    // postgres.js reconnects forever to a server that answers and hangs up (not PostgreSQL):
    // our own deadline ends that.
    const [info] = await Promise.race([
      sql.unsafe(
        "SELECT current_setting('server_version') AS version, current_user AS user, current_database() AS database",
      ),
      deadline,
    ]);
    return {
      sql,
      server: {
        version: String(info.version).split(" ")[0],
        user: String(info.user),
        database: String(info.database),
      },
      fail,
      close,
    };
  } catch (err) {
    await close(true);
    throw fail(err);
  } finally {
    clearTimeout(timer);
  }
}

/** "Test connection": connect, say which server, user and database, and close. */
export async function checkPostgres(
  ctx: RunContext,
  config: DbConnection,
): Promise<ConnectionCheck> {
  const session = await openPostgres(ctx, config);
  await session.close();
  const { version, user, database } = session.server;
  return { message: `Connected to PostgreSQL ${version} as ${user}, database ${database}` };
}

const TLS_REFUSED = /secure TLS connection|wrong version number|unexpected eof|handshake/i;
const CERTIFICATE = /certificate|CERT_|self.signed|UnknownIssuer|NotValidForName|altname/i;

/**
 * Translate a postgres.js, network or TLS error into our error classes with one readable
 * sentence that names host, database, table or filter as helpful, and never the password.
 */
export function pgError(err: unknown, config: DbConnection, where: PgWhere = {}): Error {
  if (err instanceof ConfigError || err instanceof RetriableError || err instanceof FatalRunError) {
    return err;
  }
  const e = (err ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const raw = typeof e.message === "string" ? e.message.split("\n")[0] : String(err);
  const message = config.password ? raw.replaceAll(config.password, "***") : raw;
  return translate(code, message, e.detail, config, where);
}

function translate(
  code: string,
  message: string,
  detail: unknown,
  config: DbConnection,
  where: PgWhere,
): Error {
  const at = `PostgreSQL at ${hostPort(config)}`;
  const { user, database } = config;
  const table = where.table ? `table "${where.table}"` : where.query ? "the query" : "the table";
  switch (code) {
    case "28P01":
      return new ConfigError(
        `${at} refused the password for user "${user}": check the user name and password`,
      );
    case "28000":
      if (/no encryption/.test(message)) {
        return new ConfigError(
          `${at} only accepts encrypted connections for user "${user}" and database "${database}": set tls to "require" or "verify"`,
        );
      }
      if (/role .* does not exist/.test(message)) {
        return new ConfigError(`${at} has no user "${user}": check the user name`);
      }
      if (/pg_hba/.test(message)) {
        return new ConfigError(
          `${at} does not let user "${user}" connect to database "${database}" from this address (pg_hba.conf): ask the database administrator to allow it`,
        );
      }
      return new ConfigError(`${at} refused user "${user}": ${message}`);
    case "3D000":
      return new ConfigError(
        `The database "${database}" does not exist on ${at}: check the database name`,
      );
    case "ECONNREFUSED":
      return new RetriableError(
        `Could not connect to ${at}: the connection was refused. Check the host and port, and that the server is running and accepts network connections`,
      );
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return new RetriableError(
        `No answer from ${at} within ${config.connectTimeoutSeconds} seconds: check the host and port, that it is a PostgreSQL server, and that no firewall blocks the connection`,
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new RetriableError(
        `The host ${config.host} cannot be reached: check the host name and the network between us and the server`,
      );
    case "42P01": {
      const name = /relation "(.*)" does not exist/.exec(message)?.[1] ?? where.table;
      return new ConfigError(
        `The table "${name}" does not exist in database "${database}": check the table name (schema.table)`,
      );
    }
    case "3F000":
      return new ConfigError(`In database "${database}": ${message}; check the table name`);
    case "42703":
      return new ConfigError(
        `In ${table}: ${message}${
          where.filter ? ` (filter: ${where.filter})` : ""
        }; check the column names`,
      );
    case "42601":
    case "42883":
    case "42804":
      if (where.filter) {
        return new ConfigError(`The filter "${where.filter}" is not valid SQL: ${message}`);
      }
      if (where.query) return new ConfigError(`The query is not valid SQL: ${message}`);
      return new ConfigError(`In ${table}: ${message}`);
    case "42501":
      return new ConfigError(
        `User "${user}" may not ${
          where.action === "write" ? "write to" : "read"
        } ${table}: ${message}; ask the database administrator for the rights`,
      );
    case "25006":
      return new ConfigError(
        `The query tries to change data (${message}): only read-only SELECT queries can be used`,
      );
    case "23505":
      return new ConfigError(
        `A row has the same key as another row of ${table} (${
          detailText(detail)
        }): use mode "upsert" or remove the duplicates`,
      );
    case "21000":
      return new ConfigError(
        `Several rows of this run have the same key for ${table}: ${message}`,
      );
  }
  if (/^(22|23)/.test(code)) {
    const more = detailText(detail);
    return new ConfigError(
      `A value does not fit ${table}: ${message}${more ? ` (${more})` : ""}${
        where.row ? `, in ${where.row}` : ""
      }`,
    );
  }
  if (/^(08|40|53|55P03|57)/.test(code)) {
    return new RetriableError(`${at}: ${message}; try again later`);
  }
  if (config.tls !== "off") {
    if (CERTIFICATE.test(message) || CERTIFICATE.test(code)) {
      return new ConfigError(
        `The certificate of ${at} could not be verified (${message}): check the CA certificate and that the host name matches the certificate`,
      );
    }
    if (TLS_REFUSED.test(message)) {
      return new ConfigError(
        `${at} does not accept encrypted connections (TLS): set tls to "off" or enable SSL on the server`,
      );
    }
  }
  if (/^(ECONNRESET|EPIPE|CONNECTION_)/.test(code)) {
    return new RetriableError(`The connection to ${at} was closed (${message}): try again`);
  }
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return new FatalRunError(`${at}, database "${database}": ${message}`);
  }
  return new FatalRunError(`${at}: ${message}`);
}

function detailText(detail: unknown): string {
  return typeof detail === "string" ? detail.replace(/\.$/, "") : "";
}
