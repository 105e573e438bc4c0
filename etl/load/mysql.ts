/**
 * The MySQL / MariaDB repository: rows go into a staging table `_pyxgen_stage_<run>` as they
 * come; commit creates the target when missing (before the transaction, as DDL commits
 * implicitly in MySQL), then moves the rows in ONE transaction: append adds them, replace
 * deletes the table's rows and adds them (never DROP: the table, its grants and indexes stay),
 * upsert updates rows with the same key and adds the rest (the last row of a key wins).
 * A failed run leaves the target as it was and no staging table behind.
 *
 * In bounded steps the staging table outlives the connection: every row carries the number of
 * the batch that wrote it, `checkpoint()` says which batch is the last one saved (each batch is
 * committed as it is written), and `open` with that state deletes the rows of later batches (a
 * step that crashed after its checkpoint) and goes on numbering from there.
 * @module
 */
import type { z } from "zod";
import { defineLoader } from "../define.ts";
import { ConfigError } from "../errors.ts";
import type { Batch, Column } from "../types.ts";
import { DbConnection, DbLoadFields } from "../db/options.ts";
import {
  checkMySql,
  connectMySql,
  type MySqlSession,
  quoteIdent,
  withMySql,
} from "../db/mysql_client.ts";
import { assertKeyColumns, assertTableFits } from "../db/_load_checks.ts";
import {
  describeRef,
  loadColumns,
  mysqlDatetime,
  type Param,
  paramWriter,
  SEQ_COLUMN,
  stageName,
} from "../db/_load_values.ts";
import { createStageSql, createTargetSql, tableShape } from "../db/_mysql_tables.ts";
import { BATCH_COLUMN, stageGone, type StageState, stageStateOf } from "../db/_load_steps.ts";

/** Config of the MySQL / MariaDB repository. */
export const MySqlLoadConfig = DbConnection.extend(DbLoadFields).superRefine((c, issue) => {
  if (c.mode === "upsert" && !c.key?.length) {
    issue.addIssue({
      code: "custom",
      path: ["key"],
      message: 'upsert needs the key column(s) that identify a row (FHIR resources: ["id"])',
    });
  }
});

/** A parsed MySQL repository config. */
export type MySqlLoadConfig = z.output<typeof MySqlLoadConfig>;

// Rows per INSERT and characters per statement, well under max_allowed_packet (16 MiB).
const MAX_ROWS = 1000;
const MAX_CHARS = 4_000_000;

/**
 * Multi-row INSERTs of a batch into the staging table `ref`, each value escaped by the driver,
 * every row marked with the batch number `n`.
 */
async function insertRows(
  session: MySqlSession,
  ref: string,
  columns: readonly Column[],
  writers: ((v: unknown) => Param)[],
  batch: Batch,
  n: number,
): Promise<void> {
  const names = [...columns.map((c) => c.name), BATCH_COLUMN].map(quoteIdent);
  const head = `INSERT INTO ${ref} (${names.join(", ")}) VALUES `;
  const tail = `,${n})`;
  const perStatement = Math.max(1, Math.min(MAX_ROWS, Math.floor(20_000 / columns.length)));
  let tuples: string[] = [];
  let chars = 0;
  let first = 0;
  const flush = async () => {
    if (tuples.length === 0) return;
    try {
      await session.db.query(head + tuples.join(","));
    } catch (err) {
      // "… at row 3" counts within this statement: name the row's source instead.
      const n = Number((err as { sqlMessage?: string }).sqlMessage?.match(/ at row (\d+)$/)?.[1]);
      const problem = session.error(err);
      const source = n > 0 ? batch.refs[first + n - 1] : undefined;
      if (source && problem instanceof ConfigError) {
        throw new ConfigError(`${problem.message} (${describeRef(source)})`);
      }
      throw problem;
    }
    first += tuples.length;
    tuples = [];
    chars = 0;
  };
  for (const row of batch.rows) {
    const tuple = "(" +
      columns.map((c, i) => session.db.escape(writers[i](row[c.name]))).join(",") + tail;
    tuples.push(tuple);
    chars += tuple.length;
    if (tuples.length >= perStatement || chars >= MAX_CHARS) await flush();
  }
  await flush();
}

/** The statements of commit's transaction for a mode. */
function moveSql(mode: string, target: string, stage: string, columns: Column[], key: string[]) {
  const list = columns.map((c) => quoteIdent(c.name)).join(", ");
  const insert = `INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stage} ORDER BY ${
    quoteIdent(BATCH_COLUMN)
  }, ${quoteIdent(SEQ_COLUMN)}`;
  if (mode === "replace") return [`DELETE FROM ${target}`, insert];
  if (mode === "append") return [insert];
  const lower = new Set(key.map((k) => k.toLowerCase()));
  const rest = columns.filter((c) => !lower.has(c.name.toLowerCase())).map((c) => c.name);
  const updates = (rest.length ? rest : [key[0]]).map((n) =>
    `${quoteIdent(n)} = VALUES(${quoteIdent(n)})`
  );
  return [`${insert} ON DUPLICATE KEY UPDATE ${updates.join(", ")}`];
}

/** The MySQL / MariaDB repository. */
export const mysqlLoader = defineLoader({
  type: "mysql",
  title: "MySQL / MariaDB table",
  description:
    "A table of a MySQL or MariaDB database, created when missing; rows are staged and published in one transaction (append, replace or upsert by key)",
  config: MySqlLoadConfig,
  secrets: ["password"],
  needsFormat: false,
  test: (ctx, config) => checkMySql(ctx, config),
  async open(ctx, config, target, resumeState) {
    const key = config.key ?? [];
    if (config.mode === "upsert" && key.length === 0) {
      throw new ConfigError("Upsert needs the key column(s) that identify a row (key)");
    }
    const [db, table] = config.table.includes(".")
      ? config.table.split(".")
      : [config.database, config.table];
    const label = `${db}.${table}`;
    const ref = `${quoteIdent(db)}.${quoteIdent(table)}`;
    const stageTable = stageName(ctx.ids.run);
    const stage = `${quoteIdent(db)}.${quoteIdent(stageTable)}`;
    const resume = resumeState ? stageStateOf(resumeState, stageTable) : undefined;
    // Columns told by the first rows of an earlier step come back with its state.
    let columns = loadColumns(target.schema) ?? resume?.columns;
    let writers: ((v: unknown) => Param)[] = [];
    let records = resume?.records ?? 0;
    let batches = resume?.batches ?? 0;
    let done = false;
    const session = await connectMySql(ctx, config);

    const prepare = async (cols: Column[], resumed = false) => {
      assertKeyColumns(cols, key);
      const shape = await tableShape(session, db, table);
      if (shape) assertTableFits(label, shape, cols, config.mode, key);
      if (resumed) {
        if (!(await tableShape(session, db, stageTable))) throw stageGone(`${db}.${stageTable}`);
        // Rows a step wrote after its last checkpoint: the batches after it are written again.
        await session.db.query(`DELETE FROM ${stage} WHERE ${quoteIdent(BATCH_COLUMN)} > ?`, [
          batches,
        ]);
      } else {
        await session.db.query(`DROP TABLE IF EXISTS ${stage}`);
        await session.db.query(createStageSql(stage, cols, key));
      }
      writers = cols.map((c) => paramWriter(c.type, mysqlDatetime));
      columns = cols;
    };
    const dropStage = async () => {
      const sql = `DROP TABLE IF EXISTS ${stage}`;
      try {
        await session.db.query(sql);
      } catch {
        // The connection is gone (a cancelled run destroys it): clean up on a fresh one.
        const calm = { ...ctx, signal: new AbortController().signal };
        await withMySql(calm, config, (s) => s.db.query(sql)).catch(() => {});
      }
    };
    const finish = async (drop = true) => {
      done = true;
      if (drop) await dropStage();
      await session.close();
    };

    try {
      // Strict: a value that does not fit fails instead of being cut or zeroed.
      await session.db.query(
        "SET SESSION sql_mode = TRIM(BOTH ',' FROM CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'))",
      );
      // A resumed run that staged nothing yet (its columns come with the rows) has no table.
      if (columns) await prepare(columns, resume !== undefined);
    } catch (err) {
      await finish(!resume).catch(() => {});
      throw session.error(err, { table: label });
    }

    return {
      async write(batch) {
        try {
          if (!columns) {
            const cols = loadColumns(target.schema, batch.rows);
            if (!cols) return;
            await prepare(cols);
          }
          if (batch.rows.length === 0) return;
          await insertRows(session, stage, columns!, writers, batch, batches + 1);
          batches++;
          records += batch.rows.length;
        } catch (err) {
          throw session.error(err, { table: label });
        }
      },
      async commit() {
        let created = false;
        try {
          const shape = await tableShape(session, db, table);
          if (!columns) {
            // Nothing was written and nothing tells the columns: only replace changes a table.
            if (shape && config.mode === "replace") await session.db.query(`DELETE FROM ${ref}`);
          } else {
            if (shape) assertTableFits(label, shape, columns, config.mode, key);
            else {
              await session.db.query(createTargetSql(ref, columns, key));
              created = true;
            }
            await session.db.query("START TRANSACTION");
            try {
              for (const sql of moveSql(config.mode, ref, stage, columns, key)) {
                await session.db.query(sql);
              }
              await session.db.query("COMMIT");
            } catch (err) {
              await session.db.query("ROLLBACK").catch(() => {});
              throw err;
            }
          }
        } catch (err) {
          // The table this run created is still empty: leave the database as it was.
          if (created) await session.db.query(`DROP TABLE IF EXISTS ${ref}`).catch(() => {});
          // A resumed run's staged rows are kept for another try: the run discards them.
          await finish(!resume).catch(() => {});
          throw session.error(err, { table: label });
        }
        await finish().catch(() => {});
        return { records, bytes: 0, location: label };
      },
      async abort() {
        if (!done) await finish();
      },
      checkpoint() {
        if (done) {
          return Promise.reject(new ConfigError("This output was already committed or aborted"));
        }
        // Every INSERT has committed (autocommit): the batches so far are durable.
        const state: StageState = { stage: stageTable, batches, records };
        if (columns) state.columns = columns.map((c) => ({ name: c.name, type: c.type }));
        return Promise.resolve({ ...state });
      },
      async suspend() {
        if (done) return;
        done = true;
        await session.close();
      },
    };
  },
});
