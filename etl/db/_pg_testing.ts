/**
 * Test helpers for the PostgreSQL entries: a throwaway database on the local test server
 * (127.0.0.1:5432, user postgres, trust), created with a random name and dropped at the end.
 * @module
 */
import postgres from "postgres";
import type { DbConnection } from "./options.ts";

/** The local test server. */
export const LOCAL_PG = { host: "127.0.0.1", port: 5432, user: "postgres" } as const;

/** A database of its own for one test file. */
export interface TestDatabase {
  name: string;
  /** A connection config for the entries under test (tls off, 5 s timeout). */
  config: DbConnection;
  /** A plain postgres.js client on that database, for setup and checks. */
  sql: postgres.Sql;
  /** Close the client and drop the database. */
  drop(): Promise<void>;
}

function admin(database: string): postgres.Sql {
  return postgres({
    ...LOCAL_PG,
    database,
    max: 1,
    onnotice: () => {},
    idle_timeout: 0,
    max_lifetime: 0,
  } as postgres.Options<Record<string, postgres.PostgresType>>);
}

/** Create `pyx_<random>` and connect to it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pyx_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const root = admin("test");
  try {
    await root.unsafe(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await root.end();
  }
  const sql = admin(name);
  return {
    name,
    config: {
      ...LOCAL_PG,
      database: name,
      password: "",
      tls: "off",
      connectTimeoutSeconds: 5,
    },
    sql,
    async drop() {
      await sql.end();
      const root = admin("test");
      try {
        await root.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await root.end();
      }
    },
  };
}
