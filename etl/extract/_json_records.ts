/**
 * Turning parsed JSON values into rows (or reasons they are not rows), and collecting both into
 * batches.
 * @module
 */
import type { Batch, Cursor, Row, SourceRef } from "../types.ts";

/** Rows, their refs and read-stage rejections gathered until a batch is full. */
export class BatchBuilder {
  #rows: Row[] = [];
  #refs: SourceRef[] = [];
  #rejected: { ref: SourceRef; reason: string }[] = [];

  /** Rows plus rejections held. */
  get size(): number {
    return this.#rows.length + this.#rejected.length;
  }

  /**
   * Parse one record's text and keep it as a row, or as a rejection saying why not. `element`
   * adds the array position to the reason, for files where many records share a line.
   */
  add(text: string, ref: SourceRef, unwrap: string | undefined, element: boolean): void {
    let value: unknown;
    let problem: string | undefined;
    try {
      value = JSON.parse(text);
    } catch (err) {
      problem = parseProblem(err, ref.line ?? 1, !element);
    }
    if (problem === undefined) {
      const row = recordOf(value, unwrap);
      if (typeof row !== "string") {
        this.#rows.push(row);
        this.#refs.push(ref);
        return;
      }
      problem = row;
    }
    const where = element ? `line ${ref.line}: element ${ref.index}` : `line ${ref.line}`;
    this.#rejected.push({ ref, reason: `${where}: ${problem}` });
  }

  /** The batch so far with `cursor`; starts a new one. */
  take(cursor: Cursor): Batch {
    const batch: Batch = { rows: this.#rows, refs: this.#refs, cursor };
    if (this.#rejected.length > 0) batch.rejected = this.#rejected;
    this.#rows = [];
    this.#refs = [];
    this.#rejected = [];
    return batch;
  }
}

/** The row a parsed value gives (itself, or its `unwrap` field), or why it gives none. */
export function recordOf(value: unknown, unwrap: string | undefined): Row | string {
  if (!isObject(value)) return `found ${describe(value)}, expected an object`;
  if (unwrap === undefined) return value;
  const inner = value[unwrap];
  if (inner === undefined) return `no "${unwrap}" field`;
  if (!isObject(inner)) return `"${unwrap}" is ${describe(inner)}, expected an object`;
  return inner;
}

/**
 * The parser's reason on one short line, its position turned into the file's line (the text
 * started at `line`; `column` when it started at the start of that line).
 */
export function parseProblem(err: unknown, line: number, column: boolean): string {
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const where = message.replace(
    / at position \d+ \(line (\d+) column (\d+)\)/,
    (_, l: string, c: string) => {
      const n = Number(l);
      if (n > 1) return ` at line ${line + n - 1} column ${c}`;
      return column ? ` at column ${c}` : "";
    },
  );
  return where.length > 200 ? `${where.slice(0, 199)}…` : where;
}

function isObject(value: unknown): value is Row {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
