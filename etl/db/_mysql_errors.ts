/**
 * MySQL / MariaDB driver errors as one readable sentence for a clinic's data manager, grouped
 * by what happens next: fix the config (ConfigError), try again (RetriableError) or stop.
 * No message ever holds the password: only host, port, user, database and the user's own SQL.
 * @module
 */
import { ConfigError, FatalRunError, RetriableError } from "../errors.ts";
import type { DbConnection } from "./options.ts";

/** The user's SQL a statement was built from, so a syntax error can show it. */
export interface SqlContext {
  filter?: string;
  query?: string;
  table?: string;
}

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

const NETWORK = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
]);

const CERTIFICATE =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME|HOSTNAME_MISMATCH|ERR_SSL/;

/** `host:port` as the user wrote the host, for messages. */
export function endpoint(config: DbConnection): string {
  const host = config.host.includes(":") && !config.host.startsWith("[")
    ? `[${config.host}]`
    : config.host;
  return `${host}:${config.port ?? 3306}`;
}

function quoted(text: string, max = 200): string {
  const one = text.replace(/\s+/g, " ").trim();
  return `"${one.length > max ? one.slice(0, max) + "…" : one}"`;
}

/**
 * The part of a 1064 message that says where the syntax broke: `near 'x' at line 1`. For a
 * filter the server's snippet runs on into the statement around it: cut it to the filter.
 */
function near(message: string, filter?: string): string {
  const m = message.match(/near '([\s\S]*)' at line (\d+)/);
  if (!m) return "";
  let snippet = m[1];
  if (filter !== undefined) {
    let k = snippet.length;
    while (k > 0 && !filter.trimEnd().endsWith(snippet.slice(0, k))) k--;
    if (k > 0) snippet = snippet.slice(0, k);
    return ` (the server stopped near ${quoted(snippet, 80)})`;
  }
  return ` (the server stopped near ${quoted(snippet, 80)}, line ${m[2]})`;
}

/** "… for column `db`.`_pyxgen_stage_x`.`born` at row 3" → "… for column `born`". */
function valueProblem(msg: string): string {
  return msg.replace(/`[^`]*`\.`[^`]*`\.(`[^`]*`)/g, "$1").replace(/ at row \d+$/, "");
}

function byCode(e: DriverError, config: DbConnection, sql: SqlContext): Error | undefined {
  const at = endpoint(config);
  const msg = e.sqlMessage ?? e.message ?? "";
  switch (e.errno) {
    case 1045:
      return new ConfigError(
        `The server at ${at} refused user "${config.user}": check the user name and password, that this user may connect from here, and whether the account requires TLS (then set tls to require)`,
      );
    case 1044:
      return new ConfigError(
        `User "${config.user}" may not use the database "${config.database}" on ${at}: ask the administrator to grant access`,
      );
    case 1049:
      return new ConfigError(
        `The database "${config.database}" does not exist on ${at}: check its name (names are case-sensitive on Linux servers)`,
      );
    case 3159:
      return new ConfigError(
        `The server at ${at} only accepts encrypted connections: set tls to require (or verify with its CA certificate)`,
      );
    case 1146: {
      const name = msg.match(/Table '([^']+)'/)?.[1] ?? sql.table ?? "?";
      return new ConfigError(
        `The table "${name.replace(/^[^.]+\./, "")}" does not exist in the database "${
          name.includes(".") ? name.split(".")[0] : config.database
        }": check its name or create it`,
      );
    }
    case 1054: {
      const col = msg.match(/Unknown column '([^']+)'/)?.[1] ?? "?";
      const table = sql.table ? ` in the table "${sql.table}"` : sql.query ? " in the query" : "";
      return new ConfigError(`The column "${col}" does not exist${table}: check its name`);
    }
    case 1064:
      if (sql.filter !== undefined) {
        return new ConfigError(
          `The filter ${quoted(sql.filter)} is not valid SQL${
            near(msg, sql.filter)
          }: write a condition such as active = 1`,
        );
      }
      return new ConfigError(
        `The ${sql.query !== undefined ? "query" : "statement"}${
          sql.query !== undefined ? " " + quoted(sql.query) : ""
        } is not valid SQL${near(msg)}`,
      );
    case 1060: {
      const col = msg.match(/Duplicate column name '([^']+)'/)?.[1] ?? "?";
      return new ConfigError(
        `The query returns two columns named "${col}": give them different names with AS`,
      );
    }
    case 1792:
      return new ConfigError(
        "The query tries to change data; only read-only SELECT queries are allowed",
      );
    case 1142:
    case 1143:
      return new ConfigError(
        `User "${config.user}" lacks a privilege on ${at}: ${msg}; ask the administrator to grant it`,
      );
    case 1062:
      return new ConfigError(
        `Two rows have the same key (${msg}): use mode upsert to update existing rows, or fix the duplicates in the data`,
      );
    case 4025: {
      // MariaDB's JSON is LONGTEXT with a json_valid() check named after the column.
      const col = msg.match(/CONSTRAINT `(?:[^`]*\.)?([^`.]+)` failed/)?.[1] ?? "?";
      return new ConfigError(`A value for the column "${col}" is not valid JSON`);
    }
    case 1048:
    case 1264:
    case 1265:
    case 1292:
    case 1366:
    case 1406:
    case 3140:
      return new ConfigError(`A value does not fit its column: ${valueProblem(msg)}`);
    case 1205:
    case 1213:
      return new RetriableError(
        `The database on ${at} was busy (${
          e.errno === 1213 ? "deadlock" : "lock wait timeout"
        }); run again in a moment`,
      );
    case 1040:
    case 1053:
    case 2006:
    case 2013:
      return new RetriableError(
        `The server at ${at} dropped the connection (${msg}); run again in a moment`,
      );
  }
  return undefined;
}

function byNetwork(e: DriverError, config: DbConnection): Error | undefined {
  const at = endpoint(config);
  const code = e.code ?? "";
  if (code === "ECONNREFUSED") {
    return new RetriableError(
      `Nothing accepts connections at ${at}: check the host and port, that the database server is running and that a firewall lets this connection through`,
    );
  }
  if (code === "ETIMEDOUT" || /timeout/i.test(e.message ?? "") && !e.errno) {
    return new RetriableError(
      `No answer from ${at} within ${config.connectTimeoutSeconds} s: check the host and port and that a firewall lets this connection through`,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new ConfigError(
      `The host "${config.host}" does not exist (DNS found no address for it)`,
    );
  }
  if (code === "HANDSHAKE_NO_SSL_SUPPORT") {
    return new ConfigError(
      `The server at ${at} does not offer TLS but tls is "${config.tls}": ask its administrator to enable TLS, or set tls to off on a trusted network`,
    );
  }
  if (CERTIFICATE.test(code)) {
    return new ConfigError(
      `The certificate of the server at ${at} could not be verified (${code}): check the CA certificate, or set tls to require to encrypt without checking it`,
    );
  }
  if (NETWORK.has(code)) {
    return new RetriableError(
      `The connection to ${at} was lost (${code}): check the network and run again`,
    );
  }
  return undefined;
}

/**
 * A user-facing error for anything the MySQL driver throws. Our own errors pass through.
 *
 * @example
 * ```ts
 * mysqlError({ errno: 1049, sqlMessage: "Unknown database 'x'" }, config).message;
 * // 'The database "x" does not exist on db.example.org:3306: check its name …'
 * ```
 */
export function mysqlError(err: unknown, config: DbConnection, sql: SqlContext = {}): Error {
  if (
    err instanceof ConfigError || err instanceof RetriableError || err instanceof FatalRunError
  ) return err;
  const e = (err ?? {}) as DriverError;
  const known = byCode(e, config, sql) ?? byNetwork(e, config);
  if (known) return known;
  const text = (e.sqlMessage ?? e.message ?? String(err)).split("\n")[0];
  // The driver never puts the password in a message, but be sure.
  const safe = config.password ? text.replaceAll(config.password, "***") : text;
  return new FatalRunError(`The MySQL server at ${endpoint(config)} answered: ${safe}`);
}
