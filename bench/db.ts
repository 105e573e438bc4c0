/**
 * Database benchmark (issue 3): a MariaDB table of N Synthea patients copied to PostgreSQL by
 * our engine (plain copy, and mapped to FHIR Patient with an upsert), and the same plain copy by
 * `pgloader` (Debian package) in the same run. Not run in CI.
 *
 * @example
 * ```sh
 * deno task bench:db                      # 1,000,000 rows
 * deno task bench:db --rows 100000        # a quick run
 * deno task bench:db --skip-pgloader
 * ```
 * @module
 */
import { parseArgs } from "../cli/args.ts";
import { measure } from "./_measure.ts";

const MYSQL_DB = "pyx_bench";
const PG_DB = "pyx_bench";
const SIZE_NAMES: Record<number, string> = { 100_000: "100k", 1_000_000: "1m", 5_000_000: "5m" };

async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr).slice(0, 2000)}`);
  }
  return text;
}

const mariadb = (sql: string, db = "") =>
  sh(
    "mariadb",
    ["-uroot", "-h127.0.0.1", "--local-infile=1", "-N", "-B", ...(db ? [db] : [])],
    sql,
  );
const psql = (sql: string, db = "postgres") =>
  sh("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt"], sql);

const COLUMNS = `Id VARCHAR(36) NOT NULL PRIMARY KEY, BIRTHDATE DATE, DEATHDATE DATE,
  SSN VARCHAR(20), DRIVERS VARCHAR(20), PASSPORT VARCHAR(20), PREFIX VARCHAR(10),
  FIRST VARCHAR(80), MIDDLE VARCHAR(80), LAST VARCHAR(80), SUFFIX VARCHAR(10), MAIDEN VARCHAR(80),
  MARITAL VARCHAR(4), RACE VARCHAR(20), ETHNICITY VARCHAR(20), GENDER VARCHAR(2),
  BIRTHPLACE VARCHAR(120), ADDRESS VARCHAR(120), CITY VARCHAR(80), STATE VARCHAR(40),
  COUNTY VARCHAR(80), FIPS VARCHAR(10), ZIP VARCHAR(10), LAT DOUBLE, LON DOUBLE,
  HEALTHCARE_EXPENSES DECIMAL(24,12), HEALTHCARE_COVERAGE DECIMAL(24,12), INCOME BIGINT`;
const NAMES = COLUMNS.split(",").map((c) => c.trim().split(/\s+/)[0]).filter((n) =>
  /^[A-Z][A-Za-z_]*$/.test(n) && !["NOT", "NULL", "PRIMARY", "KEY"].includes(n)
);

/** Load patients.csv into MariaDB once per size (kept between runs). */
async function prepareSource(rows: number, csv: string): Promise<void> {
  const have = await mariadb(
    `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='${MYSQL_DB}' AND table_name='patients'`,
  );
  if (have.trim() === "1") {
    const count = Number((await mariadb(`SELECT COUNT(*) FROM patients`, MYSQL_DB)).trim());
    if (count === rows) return;
  }
  console.error(`Loading ${rows.toLocaleString("en-US")} patients into MariaDB ${MYSQL_DB}…`);
  const vars = NAMES.map((n) => `@${n}`).join(",");
  const sets = NAMES.map((n) => `${n} = NULLIF(@${n}, '')`).join(", ");
  await mariadb(`DROP DATABASE IF EXISTS ${MYSQL_DB};
    CREATE DATABASE ${MYSQL_DB} CHARACTER SET utf8mb4;
    USE ${MYSQL_DB};
    CREATE TABLE patients (${COLUMNS}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
    LOAD DATA LOCAL INFILE '${csv}' INTO TABLE patients CHARACTER SET utf8mb4
      FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\n'
      IGNORE 1 LINES (${vars}) SET ${sets};`);
}

async function resetTarget(): Promise<void> {
  await psql(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE);`);
  await psql(`CREATE DATABASE ${PG_DB};`);
}

const connection = (kind: "mysql" | "postgres") =>
  kind === "mysql"
    ? { host: "127.0.0.1", port: 3306, user: "root", database: MYSQL_DB }
    : { host: "127.0.0.1", port: 5432, user: "postgres", database: PG_DB };

function specs(): Record<string, unknown> {
  const source = { type: "mysql", ...connection("mysql"), table: "patients", keyColumn: "Id" };
  return {
    "copy": {
      version: 1,
      name: "bench-copy",
      source,
      repository: {
        type: "postgres",
        ...connection("postgres"),
        table: "patients",
        mode: "append",
      },
      options: { batchSize: 5000 },
    },
    "fhir-upsert": {
      version: 1,
      name: "bench-fhir",
      source,
      transforms: [{ type: "fhir-patient", preset: "synthea" }],
      repository: {
        type: "postgres",
        ...connection("postgres"),
        table: "patient_fhir",
        mode: "upsert",
        key: ["id"],
      },
      options: { batchSize: 2000 },
    },
  };
}

interface Line {
  conversion: string;
  engine: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  note?: string;
}

async function ours(name: string, spec: unknown, dir: string): Promise<Line> {
  const path = `${dir}/${name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(spec, null, 2));
  await resetTarget();
  const m = await measure([Deno.execPath(), "run", "-A", "bench/db_one.ts", path], ".");
  const json = m.json as { status?: string; error?: string; counts?: { written: number } } | null;
  if (json?.status !== "succeeded") throw new Error(`${name}: ${json?.error ?? m.stderr}`);
  const rows = json.counts!.written;
  const target = Number((await psql(
    `SELECT COUNT(*) FROM ${name === "copy" ? "patients" : "patient_fhir"}`,
    PG_DB,
  )).trim());
  if (target !== rows) {
    throw new Error(`${name}: PostgreSQL holds ${target} rows, run said ${rows}`);
  }
  return line(name, "ours", rows, m.wallSeconds, m.peakRssMb);
}

async function pgloader(dir: string): Promise<Line> {
  await resetTarget();
  const load = `${dir}/pgloader.load`;
  await Deno.writeTextFile(
    load,
    `LOAD DATABASE
  FROM mysql://root@127.0.0.1:3306/${MYSQL_DB}
  INTO postgresql://postgres@127.0.0.1:5432/${PG_DB}
  WITH include drop, create tables, create no indexes, reset sequences, prefetch rows = 10000
  INCLUDING ONLY TABLE NAMES MATCHING 'patients';
`,
  );
  // pgloader's default prefetch (100,000 rows) exhausts its heap at 1M rows here and it then
  // reports success with 0 rows; 10,000 loads them all.
  const m = await measure(["pgloader", "--no-ssl-cert-verification", load], ".");
  const rows = Number(
    (await psql(`SELECT COUNT(*) FROM ${MYSQL_DB}.patients`, PG_DB).catch(() => "0")).trim(),
  );
  if (rows === 0) throw new Error(`pgloader loaded no rows:\n${m.stderr.slice(-2000)}`);
  return line("copy", "pgloader", rows, m.wallSeconds, m.peakRssMb, "no indexes");
}

function line(
  conversion: string,
  engine: string,
  rows: number,
  seconds: number,
  rss: number,
  note?: string,
): Line {
  return {
    conversion,
    engine,
    rows,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMb: rss,
    note,
  };
}

if (import.meta.main) {
  const { options } = parseArgs(Deno.args, ["skip-pgloader"]);
  const rows = Number(options.get("rows") ?? 1_000_000);
  const size = SIZE_NAMES[rows] ?? String(rows);
  const dataDir = `bench/out/${size}`;
  const csv = `${Deno.cwd()}/${dataDir}/patients.csv`;
  if (!(await Deno.stat(csv).then(() => true, () => false))) {
    await sh(Deno.execPath(), [
      "run",
      "-A",
      "bench/generate.ts",
      "--patients",
      String(rows),
      "--out",
      dataDir,
    ]);
  }
  await prepareSource(rows, csv);
  const dir = `${dataDir}/db`;
  await Deno.mkdir(dir, { recursive: true });
  const lines: Line[] = [];
  for (const [name, spec] of Object.entries(specs())) {
    console.error(`ours: ${name}…`);
    lines.push(await ours(name, spec, dir));
  }
  if (!options.has("skip-pgloader")) {
    console.error("pgloader: copy…");
    lines.push(await pgloader(dir));
  }
  await resetTarget();
  console.table(lines);
  await Deno.writeTextFile(
    `bench/out/db-results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
    JSON.stringify(lines, null, 2),
  );
}
