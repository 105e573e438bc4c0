/**
 * Rows turned into typed column buffers for one Parquet row group (see `../column_buffers.ts`
 * for the layout). Values are converted as they arrive, so a row group holds bytes, not
 * JavaScript strings and objects: the V8 heap stays small (a 20k-row group of strings used to
 * be promoted to the old generation and linger there as garbage). The buffers are reused for
 * the next row group. A value that cannot be written in its column's type stops the run.
 * @module
 */
import { appendColumn, builderOf, type ColumnBuilder, TextBuilder } from "../column_buffers.ts";
import type { ColumnBatch, ColumnData } from "../columnar.ts";
import { FatalRunError } from "../errors.ts";
import type { Column } from "../types.ts";
import { isMissing, textOf } from "./_values.ts";

/**
 * Buffers rows column by column. `textBytes` counts buffered text, so the caller can close a
 * row group early when long values (FHIR resources) would take too much memory.
 */
export class RowGroupBuffer {
  readonly columns: readonly Column[];
  rows = 0;
  readonly #builders: ColumnBuilder[];
  readonly #text: TextBuilder[];

  constructor(columns: readonly Column[]) {
    this.columns = columns.map((c) => ({ name: c.name, type: c.type }));
    this.#builders = this.columns.map(builderOf);
    this.#text = this.#builders.filter((b) => b instanceof TextBuilder);
  }

  /** Bytes of text buffered in this row group (as of the last row pushed). */
  textBytes = 0;

  /** Adds one row; throws a {@link FatalRunError} naming the value that does not fit. */
  push(row: Record<string, unknown>): void {
    const builders = this.#builders;
    const r = this.rows;
    for (let i = 0; i < builders.length; i++) {
      const b = builders[i];
      b.reserve(r);
      const value = row[b.name];
      if (isMissing(value)) b.none(r);
      else if (!b.put(r, value)) {
        const shown = textOf(value).slice(0, 40);
        throw new FatalRunError(
          `Cannot write "${shown}" to the ${b.type} column "${b.name}" of a Parquet file`,
        );
      }
    }
    this.rows++;
    this.#countText();
  }

  /**
   * Adds rows `[from, from + rows)` of a column batch whose columns are these, in this order
   * (the columnar path: normalize made them).
   */
  append(batch: ColumnBatch, from: number, rows: number): void {
    const builders = this.#builders;
    for (let i = 0; i < builders.length; i++) {
      appendColumn(builders[i], this.rows, batch.columns[i], from, rows);
    }
    this.rows += rows;
    this.#countText();
  }

  #countText(): void {
    let bytes = 0;
    for (const t of this.#text) bytes += t.length;
    this.textBytes = bytes;
  }

  /**
   * The buffered columns, as views valid until the next `push`, and a new row group begins
   * in the same buffers.
   */
  take(): { columns: ColumnData[]; rows: number } {
    const rows = this.rows;
    const columns = this.#builders.map((b) => b.data(rows));
    for (const b of this.#builders) b.reset();
    this.rows = 0;
    this.textBytes = 0;
    return { columns, rows };
  }
}
