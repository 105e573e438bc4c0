/**
 * The PostgreSQL repository: each batch goes into an UNLOGGED staging table of the run with
 * `COPY … FROM STDIN`; commit publishes in one transaction (create the table when missing,
 * append, replace or upsert) and drops the staging table; abort only drops the staging table.
 * The target table is therefore either exactly as before or holds this run's rows, and an
 * upsert run repeated leaves the same rows, not twice as many. FHIR resources land in a jsonb
 * column (`resource->>'gender'` works in SQL). The staging table has the target's column types,
 * so COPY parses each value once and a refused value names its row; the server stores one
 * batch while the run reads the next. A straight run (not in steps) that appends or replaces
 * skips the staging table: its rows go into the target inside one transaction that the commit
 * ends and a failure rolls back (`_pg_direct.ts`), half the server's work.
 *
 * In bounded steps the staging table outlives the connection: every row carries the number of
 * the batch that wrote it, `checkpoint()` waits for the COPY in flight and says which batch is
 * the last one saved, and `open` with that state deletes the rows of later batches (a step that
 * crashed after its checkpoint) and goes on numbering from there.
 * @module
 */
import { z } from "zod";
import { defineLoader } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { DbConnection, DbLoadFields } from "../db/options.ts";
import { checkPostgres, openPostgres } from "../db/postgres_client.ts";
import { encodeRows, sendRows } from "../db/_pg_copy.ts";
import { createStaging, publish, resumeStaging, stagingName } from "../db/_pg_merge.ts";
import { beginDirect, type DirectStart, endDirect } from "../db/_pg_direct.ts";
import { BATCH_COLUMN, type StageState, stageStateOf } from "../db/_load_steps.ts";
import { quoteIdent } from "../db/_pg_sql.ts";
import { inspectTarget, newTableTypes, preferLz4, type Target } from "../db/_pg_target.ts";

/** Config of the PostgreSQL repository. */
export const PostgresLoadConfig = DbConnection.extend(DbLoadFields).refine(
  (config) => config.mode !== "upsert" || (config.key?.length ?? 0) > 0,
  {
    path: ["key"],
    message:
      'mode "upsert" needs the key column(s) that identify a row (FHIR resources: ["id"]); without a key it would not know which rows to update',
  },
);

/** A parsed PostgreSQL repository config. */
export type PostgresLoadConfig = z.output<typeof PostgresLoadConfig>;

/** The PostgreSQL repository. */
export const postgresLoader = defineLoader({
  type: "postgres",
  title: "PostgreSQL table",
  description:
    "A table of a PostgreSQL database (created when missing): rows are appended, replace the table's rows, or upsert by key, all at once when the run succeeds",
  config: PostgresLoadConfig,
  secrets: ["password"],
  needsFormat: false,
  test: checkPostgres,
  async open(ctx, config, target, resumeState) {
    const key = config.key ?? [];
    if (config.mode === "upsert" && key.length === 0) {
      throw new ConfigError(
        'mode "upsert" needs a key: the run was refused rather than guess which rows to update',
      );
    }
    const columns = target.schema.columns;
    if (columns.length === 0) {
      throw new ConfigError(`There are no columns to write into table "${config.table}"`);
    }
    const names = columns.map((c) => c.name);
    const unknown = key.filter((k) => !names.includes(k));
    if (unknown.length) {
      throw new ConfigError(
        `The key column(s) ${
          unknown.map((k) => `"${k}"`).join(", ")
        } are not in the data; its columns are ${names.join(", ")}`,
      );
    }
    const json = columns.map((c) => c.type === "json" || c.name === target.schema.resource);
    const where = { table: config.table, action: "write" as const };
    const stage = stagingName(ctx.ids.run, config.table);
    const resume = resumeState ? stageStateOf(resumeState, stage) : undefined;
    const copyColumns = [...names, BATCH_COLUMN];
    const session = await openPostgres(ctx, config);
    const { sql } = session;
    let records = resume?.records ?? 0;
    let batches = resume?.batches ?? 0;
    let closed = false;
    // The last batch's COPY, which the server may still be storing while the run reads and
    // maps the next batch; its failure fails the next write() or the commit.
    let copying: Promise<void> | undefined;
    const settle = async () => {
      const copy = copying;
      copying = undefined;
      await copy;
    };
    // Straight runs that append or replace write the target itself (see _pg_direct.ts).
    const direct = !target.steps && !resume && config.mode !== "upsert";
    let started: DirectStart | undefined;
    const finish = async (drop = true) => {
      if (closed) return;
      closed = true;
      await settle().catch(() => {});
      if (direct) await sql.unsafe("ROLLBACK").catch(() => {});
      else if (drop) await sql.unsafe(`DROP TABLE IF EXISTS ${quoteIdent(stage)}`).catch(() => {});
      await session.close();
    };
    const wanted: Target = {
      table: config.table,
      columns,
      resource: target.schema.resource,
      mode: config.mode,
      key,
    };
    try {
      await preferLz4(sql);
      // An existing table that cannot take the rows is refused before any row is read.
      if (direct) started = await beginDirect(sql, wanted);
      else {
        const types = (await inspectTarget(sql, wanted)) ?? newTableTypes(wanted);
        if (resume) await resumeStaging(sql, stage, resume.batches, resume.records);
        else await createStaging(sql, stage, names, types);
      }
    } catch (err) {
      if (direct) await sql.unsafe("ROLLBACK").catch(() => {});
      await session.close();
      throw session.fail(err, where);
    }
    return {
      async write(batch) {
        if (closed) throw new ConfigError("This output was already committed or aborted");
        await settle();
        if (batch.rows.length === 0) return;
        const { refs } = batch;
        const chunks = direct
          ? encodeRows(names, json, batch.rows, refs)
          : encodeRows(names, json, batch.rows, refs, String(batches + 1));
        batches++;
        const into = direct ? [config.table, names] as const : [stage, copyColumns] as const;
        copying = sendRows(sql, into[0], into[1], chunks, refs).catch((err) => {
          throw session.fail(err, { ...where, row: (err as { row?: string })?.row });
        });
        copying.catch(() => {}); // observed by settle()
        records += batch.rows.length;
      },
      async commit() {
        if (closed) throw new ConfigError("This output was already committed or aborted");
        try {
          await settle();
          if (started) await endDirect(sql, wanted, started);
          else {
            await sql.unsafe("BEGIN");
            await publish(sql, { ...wanted, stage });
            await sql.unsafe("COMMIT");
          }
        } catch (err) {
          await sql.unsafe("ROLLBACK").catch(() => {});
          // A resumed run's staged rows are kept for another try: the run discards them.
          await finish(!resume);
          throw session.fail(err, where);
        }
        closed = true;
        await session.close();
        return { records, bytes: 0, location: config.table };
      },
      abort: () => finish(),
      async checkpoint() {
        if (closed) throw new ConfigError("This output was already committed or aborted");
        if (direct) throw new Error("A PostgreSQL output opened without steps cannot checkpoint");
        try {
          await settle();
        } catch (err) {
          throw session.fail(err, where);
        }
        const state: StageState = { stage, batches, records };
        return { ...state };
      },
      async suspend() {
        if (closed) return;
        closed = true;
        // A COPY still in flight belongs to no checkpoint: the next step deletes its rows.
        await settle().catch(() => {});
        await session.close();
      },
    };
  },
});
