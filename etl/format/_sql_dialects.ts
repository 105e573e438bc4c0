/**
 * What differs between the SQL dialects: identifier quoting, string literals, column types,
 * booleans, date-time literals and the lines around the script.
 *
 * No literal ever holds a raw line break (PostgreSQL uses `E'\n'`, MySQL `'\n'`, SQLite
 * `'…'||char(10)||'…'`), so in a generated script `;\n` only ever ends a statement.
 * @module
 */
import type { ColumnType } from "../types.ts";
import { formatUtc, type Instant } from "./_datetime.ts";

/** The dialects a script can be written for. */
export const DIALECTS = ["postgres", "mysql", "sqlite"] as const;

/** A dialect name as stored in a format config. */
export type DialectName = typeof DIALECTS[number];

/** How one dialect writes names, values and the script around the inserts. */
export interface SqlDialect {
  /** A quoted identifier. */
  ident(name: string): string;
  /** A string literal that reads back as exactly this text. */
  text(value: string): string;
  /** A json literal from JSON text. */
  json(text: string): string;
  /** A date-time literal, in UTC. */
  instant(value: Instant): string;
  /** Literals of false and true. */
  booleans: readonly [string, string];
  /** Column type of each engine type. */
  types: Record<ColumnType, string>;
  /** Lines before the first statement and after the last. */
  prologue: string;
  epilogue: string;
  /** Table options after `CREATE TABLE (...)`. */
  tableOptions: string;
}

const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "''",
  "\n": "\\n",
  "\r": "\\r",
  "\x1a": "\\Z",
};

function quoted(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * PostgreSQL text cannot hold NUL at all, so NUL characters are dropped. Text with a backslash
 * or a line break becomes an `E''` string, which reads the same whatever
 * `standard_conforming_strings` says.
 */
function postgresText(value: string): string {
  if (!/[\\\n\r\0]/.test(value)) return quoted(value);
  return `E'${value.replace(/[\\'\n\r\0]/g, (c) => c === "\0" ? "" : ESCAPES[c])}'`;
}

/** JSONB rejects the escape `\u0000` too: drop it (but not an escaped backslash + "u0000"). */
function postgresJson(text: string): string {
  if (text.includes("\\u0000")) {
    text = text.replace(/\\+u0000/g, (m) => (m.length - 5) % 2 === 1 ? m.slice(0, -6) : m);
  }
  return postgresText(text);
}

/**
 * MySQL backslash escapes; the script turns NO_BACKSLASH_ESCAPES off while it runs. Ctrl-Z is
 * escaped too, as mysqldump does: the Windows client reads it as end of file.
 */
function mysqlText(value: string): string {
  // deno-lint-ignore no-control-regex
  if (!/[\\'\n\r\0\x1a]/.test(value)) return `'${value}'`;
  // deno-lint-ignore no-control-regex
  return `'${value.replace(/[\\'\n\r\0\x1a]/g, (c) => c === "\0" ? "\\0" : ESCAPES[c])}'`;
}

/** SQLite has no escapes: control characters are spliced in with `char()`. */
function sqliteText(value: string): string {
  const q = quoted(value);
  if (!/[\0\n\r]/.test(value)) return q;
  return q.replace(/[\0\n\r]/g, (c) => `'||char(${c.charCodeAt(0)})||'`);
}

function identWith(quote: string): (name: string) => string {
  return (name) => quote + name.replaceAll("\0", "").replaceAll(quote, quote + quote) + quote;
}

/** The dialects by name. */
export const SQL_DIALECTS: Record<DialectName, SqlDialect> = {
  postgres: {
    ident: identWith('"'),
    text: postgresText,
    json: postgresJson,
    instant: (i) => `'${formatUtc(i, " ")}+00'`,
    booleans: ["FALSE", "TRUE"],
    types: {
      string: "TEXT",
      integer: "BIGINT",
      // Unconstrained NUMERIC keeps every digit and the scale as written.
      decimal: "NUMERIC",
      boolean: "BOOLEAN",
      date: "DATE",
      datetime: "TIMESTAMPTZ",
      json: "JSONB",
    },
    prologue: "",
    epilogue: "",
    tableOptions: "",
  },
  mysql: {
    ident: identWith("`"),
    text: mysqlText,
    json: mysqlText,
    // DATETIME has no zone: values are written in UTC.
    instant: (i) => `'${formatUtc(i, " ")}'`,
    booleans: ["FALSE", "TRUE"],
    types: {
      string: "LONGTEXT",
      integer: "BIGINT",
      // The widest exact DECIMAL: 35 integer and 30 fraction digits (read back zero-padded).
      decimal: "DECIMAL(65,30)",
      boolean: "BOOLEAN",
      date: "DATE",
      datetime: "DATETIME(6)",
      json: "JSON",
    },
    prologue: "SET NAMES utf8mb4;\n" +
      "SET @OLD_SQL_MODE = @@SQL_MODE, SQL_MODE = REPLACE(@@SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');\n",
    epilogue: "SET SQL_MODE = @OLD_SQL_MODE;\n",
    tableOptions: " DEFAULT CHARSET=utf8mb4",
  },
  sqlite: {
    ident: identWith('"'),
    text: sqliteText,
    json: sqliteText,
    // Text in one fixed-width UTC form, so that dates sort and compare as text.
    instant: (i) => `'${formatUtc(i, "T")}Z'`,
    booleans: ["0", "1"],
    types: {
      string: "TEXT",
      integer: "INTEGER",
      // TEXT affinity: a NUMERIC column would turn "0.10" into the float 0.1.
      decimal: "TEXT",
      boolean: "INTEGER",
      date: "TEXT",
      datetime: "TEXT",
      json: "TEXT",
    },
    prologue: "",
    epilogue: "",
    tableOptions: "",
  },
};
