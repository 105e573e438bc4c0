/**
 * Whole pipelines between the real MariaDB and PostgreSQL on this machine: a Synthea patients
 * table → FHIR Patient → PostgreSQL upsert, incremental runs through the CLI's state file, and a
 * failed run that leaves the target table as it was.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { runPipeline } from "../etl/pipeline.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const CSV = `${root}/data/samples/synthea/patients.csv`;

interface Fixture {
  name: string;
  my: mysql.Connection;
  pg: postgres.Sql;
  close(): Promise<void>;
}

/** A MariaDB database holding the Synthea sample patients, and an empty PostgreSQL database. */
async function fixture(): Promise<Fixture> {
  const name = `pyx_e2e_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = await mysql.createConnection({ host: "127.0.0.1", user: "root" });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  const my = await mysql.createConnection({
    host: "127.0.0.1",
    user: "root",
    database: name,
    charset: "utf8mb4",
  });
  const rows = parse(await Deno.readTextFile(CSV), { columns: true }) as Record<string, string>[];
  const columns = Object.keys(rows[0]);
  const defs = columns.map((c) => `\`${c}\` ${c === "Id" ? "VARCHAR(36) PRIMARY KEY" : "TEXT"}`);
  await my.query(
    `CREATE TABLE patients (${defs.join(", ")}, updated_at DATETIME NOT NULL)
     DEFAULT CHARSET=utf8mb4`,
  );
  await my.query(
    `INSERT INTO patients (${columns.map((c) => `\`${c}\``).join(", ")}, updated_at) VALUES ?`,
    [rows.map((r) => [...columns.map((c) => r[c] === "" ? null : r[c]), "2026-01-01 00:00:00"])],
  );
  const pgAdmin = postgres({
    host: "127.0.0.1",
    user: "postgres",
    database: "test",
    onnotice() {},
  });
  await pgAdmin.unsafe(`CREATE DATABASE ${name}`);
  await pgAdmin.end();
  const pg = postgres({ host: "127.0.0.1", user: "postgres", database: name, onnotice() {} });
  return {
    name,
    my,
    pg,
    async close() {
      await pg.end();
      await my.query(`DROP DATABASE ${name}`);
      await my.end();
      const a = postgres({ host: "127.0.0.1", user: "postgres", database: "test", onnotice() {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

function spec(db: string, extra: { source?: object; repository?: object; options?: object } = {}) {
  return {
    version: 1,
    name: "clinic-patients",
    source: {
      type: "mysql",
      host: "127.0.0.1",
      user: "root",
      database: db,
      table: "patients",
      keyColumn: "Id",
      ...extra.source,
    },
    transforms: [{ type: "fhir-patient", preset: "synthea" }],
    repository: {
      type: "postgres",
      host: "127.0.0.1",
      user: "postgres",
      database: db,
      table: "patient",
      mode: "upsert",
      key: ["id"],
      ...extra.repository,
    },
    options: { batchSize: 40, ...extra.options },
  };
}

const run = (raw: unknown) =>
  runPipeline(raw, { inputRoot: root, outputRoot: root, allowPrivateNetwork: true });

Deno.test("MariaDB patients → FHIR Patient → PostgreSQL upsert; a second run leaves the same rows", async () => {
  const f = await fixture();
  try {
    const first = await run(spec(f.name));
    assert.equal(first.status, "succeeded", first.error);
    assert.equal(first.counts.read, 115);
    assert.equal(first.counts.read, first.counts.written + first.counts.rejected);
    const [{ count }] = await f.pg`SELECT COUNT(*)::int AS count FROM patient`;
    assert.equal(count, first.counts.written);
    const [one] = await f.pg`
      SELECT resource->>'gender' AS gender, resource->>'birthDate' AS birth
      FROM patient WHERE id = 'b63edfda-d82b-5fc1-4738-10b77b73b271'`;
    assert.deepEqual(one, { gender: "male", birth: "1968-07-31" });

    await f.my.query(`UPDATE patients SET FIRST = 'Renamed1' WHERE Id = ?`, [
      "b63edfda-d82b-5fc1-4738-10b77b73b271",
    ]);
    const second = await run(spec(f.name));
    assert.equal(second.status, "succeeded", second.error);
    const [{ count: after }] = await f.pg`SELECT COUNT(*)::int AS count FROM patient`;
    assert.equal(after, first.counts.written, "upsert must not duplicate rows");
    const [renamed] = await f.pg`
      SELECT resource->'name'->0->'given'->>0 AS given FROM patient
      WHERE id = 'b63edfda-d82b-5fc1-4738-10b77b73b271'`;
    assert.equal(renamed.given, "Renamed1");
  } finally {
    await f.close();
  }
});

Deno.test("a run that fails leaves the PostgreSQL table as it was", async () => {
  const f = await fixture();
  try {
    const ok = await run(spec(f.name, { repository: { mode: "replace" } }));
    assert.equal(ok.status, "succeeded", ok.error);
    await f.my.query(`UPDATE patients SET GENDER = '?' LIMIT 20`);
    const failed = await run(
      spec(f.name, { repository: { mode: "replace" }, options: { maxRejected: 5 } }),
    );
    assert.equal(failed.status, "failed");
    assert.match(failed.error ?? "", /More than 5 rows were rejected/);
    const [{ count }] = await f.pg`SELECT COUNT(*)::int AS count FROM patient`;
    assert.equal(count, ok.counts.written, "the replace must not have happened");
    const [{ staging }] = await f.pg`
      SELECT COUNT(*)::int AS staging FROM information_schema.tables
      WHERE table_name LIKE '%stage%'`;
    assert.equal(staging, 0, "no staging table may be left behind");
  } finally {
    await f.close();
  }
});

Deno.test("etl run --state: an incremental pipeline reads only rows changed since its last success", async () => {
  const f = await fixture();
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/pipeline.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify(spec(f.name, { source: { cursorColumn: "updated_at" } })),
    );
    const cli = async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${root}/cli.ts`,
          "run",
          path,
          "--state",
          `${dir}/state.json`,
          "--allow-private-network",
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      return { result: JSON.parse(new TextDecoder().decode(out.stdout)), stderr };
    };
    const first = await cli();
    assert.equal(first.result.counts.read, 115);
    assert.equal(first.result.highWater?.slice(0, 10), "2026-01-01");

    await f.my.query(`UPDATE patients SET updated_at = '2026-02-03 04:05:06' LIMIT 3`);
    const second = await cli();
    assert.equal(second.result.counts.read, 3);
    assert.match(second.result.highWater, /^2026-02-03.04:05:06/);

    const third = await cli();
    assert.equal(third.result.counts.read, 0);
    assert.match(third.stderr, /No new rows since the last successful run/);
    const state = JSON.parse(await Deno.readTextFile(`${dir}/state.json`));
    assert.match(state["clinic-patients"].highWater, /^2026-02-03.04:05:06/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await f.close();
  }
});
