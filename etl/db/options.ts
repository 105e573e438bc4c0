/**
 * Config shared by the database sources and repositories (PostgreSQL, MySQL/MariaDB): how to
 * connect, what to read, and how to load. Each dialect's entry extends these schemas.
 * @module
 */
import { z } from "zod";

/** How to connect to a database server. `password` is the secret field. */
export const DbConnection = z.object({
  host: z.string().min(1).describe("Server host name or address"),
  port: z.number().int().min(1).max(65535).optional().describe(
    "Server port (default: 5432 for PostgreSQL, 3306 for MySQL)",
  ),
  database: z.string().min(1).describe("Database name"),
  user: z.string().min(1).describe("User name"),
  password: z.string().default("").describe("Password"),
  tls: z.enum(["off", "require", "verify"]).default("off").describe(
    "Encrypt the connection: off, require (encrypted, any certificate) or verify (encrypted, certificate checked against the CA)",
  ),
  ca: z.string().optional().describe("CA certificate (PEM) to verify the server against"),
  connectTimeoutSeconds: z.number().int().min(1).max(60).default(5)
    .describe("Give up connecting after this many seconds"),
});

/** A parsed connection config. */
export type DbConnection = z.output<typeof DbConnection>;

/** Secret fields of every database entry. */
export const DB_SECRETS = ["password"] as const;

const identifier = z.string().min(1).max(128).regex(
  /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/,
  "must be a table or column name (letters, digits, _; optionally schema.table)",
);

/**
 * What a database source reads: a table (optional columns and filter) or one read-only query.
 * `keyColumn` makes the read resumable (key order, cursor = last key); `cursorColumn` makes it
 * incremental (only rows newer than the last successful run's high-water mark).
 */
export const DbSourceFields = {
  table: identifier.optional().describe("Table to read (or give a query)"),
  columns: z.array(identifier).optional().describe("Columns to read (default: all)"),
  filter: z.string().max(2000).optional().describe(
    "SQL condition rows must meet, e.g. active = 1",
  ),
  query: z.string().max(20000).optional().describe("A read-only SELECT instead of a table"),
  keyColumn: identifier.optional().describe(
    "Unique, ordered key: rows are read in its order and a run resumes after the last key",
  ),
  cursorColumn: identifier.optional().describe(
    "Column such as updated_at: each run reads only rows newer than the last successful run",
  ),
};

/** How a database repository loads rows into its table. */
export const DbLoadFields = {
  table: identifier.describe("Target table (created from the data's columns when missing)"),
  mode: z.enum(["append", "replace", "upsert"]).default("append").describe(
    "append adds rows; replace swaps the table's rows for this run's; upsert updates rows with the same key and adds new ones",
  ),
  key: z.array(identifier).optional().describe(
    "Key columns for upsert (FHIR resources: id)",
  ),
};
