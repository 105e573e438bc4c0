/**
 * Test helper: a throw-away utf8mb4 database `pyx_<random>` on the local MariaDB (root, no
 * password), with an admin connection to fill and inspect it. Each test file makes its own,
 * so files can run in parallel with other helpers' tests.
 * @module
 */
import mysql from "mysql2/promise";
import type { DbConnection } from "./options.ts";

/** A scratch database and what a test needs to use it. */
export interface TestDatabase {
  name: string;
  /** A parsed connection config for the source / repository under test. */
  config: DbConnection;
  /** A connection to the scratch database for setup and checks. */
  admin: mysql.Connection;
  /** Rows of a query on the admin connection. */
  rows<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  /** Drop the database and close the admin connection. */
  drop(): Promise<void>;
}

/** The local MariaDB of the test environment. */
export const LOCAL_MYSQL = { host: "127.0.0.1", port: 3306, user: "root", password: "" };

/** Create `pyx_<random>` (utf8mb4) and connect to it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pyx_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = await mysql.createConnection({
    ...LOCAL_MYSQL,
    charset: "utf8mb4",
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: true,
  });
  await admin.query(
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.query(`USE \`${name}\``);
  await admin.query("SET time_zone = '+00:00'");
  return {
    name,
    admin,
    config: {
      ...LOCAL_MYSQL,
      database: name,
      tls: "off",
      connectTimeoutSeconds: 5,
    },
    async rows<T>(sql: string, values?: unknown[]) {
      const [rows] = await admin.query(sql, values);
      return rows as T[];
    },
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
    },
  };
}
