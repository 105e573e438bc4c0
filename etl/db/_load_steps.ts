/**
 * What the database repositories share to be written in bounded steps: the state a checkpoint
 * saves (the staging table's name, the last committed batch number, the rows so far and, for
 * repositories that learn their columns from the first rows, those columns), checked for shape
 * when it comes back, and the messages a resumed step gives when its staging table is gone.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Column, ColumnType, SinkState } from "../types.ts";
import { COLUMN_TYPES } from "../types.ts";

/** Column of every staging table holding the number of the batch that wrote the row. */
export const BATCH_COLUMN = "_pyxgen_batch";

/** Where a step stopped, as `checkpoint()` saves it with the run's cursor: no connection data. */
export interface StageState {
  /** The staging table (as the repository names it, without database or schema). */
  stage: string;
  /** The last batch number that is part of the checkpoint; later ones are a crashed step's. */
  batches: number;
  records: number;
  /** The staged columns, when the rows (not the schema) told them. */
  columns?: Column[];
}

const count = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

function isColumn(c: unknown): c is Column {
  const { name, type } = (c ?? {}) as Record<string, unknown>;
  return typeof name === "string" && COLUMN_TYPES.includes(type as ColumnType);
}

/**
 * A saved state checked for shape (it comes back from storage, after another process) and for
 * belonging to this staging table: the table setting may have changed between steps.
 */
export function stageStateOf(resume: SinkState, stage: string): StageState {
  const { stage: saved, batches, records, columns } = resume;
  if (
    typeof saved !== "string" || !count(batches) || !count(records) ||
    (columns !== undefined && (!Array.isArray(columns) || !columns.every(isColumn)))
  ) {
    throw new ConfigError(
      "The saved progress of this run's table output is damaged; start the run again",
    );
  }
  if (saved !== stage) {
    throw new ConfigError(
      `The output table of this run changed between its steps (its staging table was ${saved}, ` +
        `now ${stage}); start the run again`,
    );
  }
  return { stage: saved, batches: batches as number, records: records as number, columns };
}

/** The error of a resumed step whose staging table is missing (dropped, or never durable). */
export function stageGone(stage: string, why = "was not found"): ConfigError {
  return new ConfigError(
    `The partial output of this run is gone (its staging table ${stage} ${why}); ` +
      "start the run again",
  );
}
