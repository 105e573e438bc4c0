/**
 * The state the text formats (CSV, JSON, NDJSON, SQL) keep between the steps of one output: has
 * the start (header, `[`, CREATE TABLE) been written, and, when the schema came without
 * columns, which columns the first rows gave. A step in another process rebuilds its encoder
 * from it and goes on writing as if it had been the same encoder all along.
 * @module
 */
import { FatalRunError } from "../errors.ts";
import type { Column, EncoderState, Schema } from "../types.ts";

/**
 * The state of an encoder of `format` that has written its start with these columns
 * (`undefined`: nothing written yet). Columns the schema names are not saved: the next step
 * gets the same schema.
 */
export function textState(
  format: string,
  schema: Schema,
  columns: readonly Column[] | undefined,
): EncoderState {
  const fromRows = columns !== undefined && schema.columns.length === 0;
  return {
    format,
    started: columns !== undefined,
    columns: fromRows ? JSON.stringify(columns.map((c) => c.name)) : null,
  };
}

/**
 * The columns a resumed encoder of `format` writes with, or `undefined` when it has written
 * nothing yet (not resumed, or resumed before its first rows). Columns taken from rows are
 * text, as `columnsOf` makes them.
 */
export function resumedColumns(
  format: string,
  schema: Schema,
  resume: EncoderState | undefined,
): Column[] | undefined {
  if (!resume) return undefined;
  if (resume.format !== format) {
    throw new FatalRunError(
      `This run's partial output was written as ${resume.format ?? "another format"} and cannot ` +
        `be continued as ${format}; start the run again`,
    );
  }
  if (resume.started !== true) return undefined;
  if (resume.columns === null || resume.columns === undefined) return schema.columns;
  const names = parseNames(resume.columns);
  if (!names) {
    throw new FatalRunError(
      `The saved state of this run's ${format} output is damaged; start the run again`,
    );
  }
  return names.map((name) => ({ name, type: "string" }));
}

function parseNames(value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const names: unknown = JSON.parse(value);
    if (Array.isArray(names) && names.every((n) => typeof n === "string")) return names;
  } catch {
    // Reported by the caller as damaged state.
  }
  return undefined;
}
