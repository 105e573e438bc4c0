/**
 * CSV output (RFC 4180): a header row of column names, then one record per row. A field is
 * quoted when it holds the delimiter, a quote, CR or LF, and quotes inside are doubled. Lines
 * end in CRLF by default, as the RFC says; `lineEnding: "lf"` is there for Unix tools.
 *
 * Cells that a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`, tab or
 * CR) get a leading `'`, except plain numbers such as `-5` or `+1.5`, which stay as they are.
 * Values: null → empty field, booleans → `true`/`false`, json → JSON text, the rest as text.
 * @module
 */
import { z } from "zod";
import { defineFormat } from "../define.ts";
import type { Column, Row } from "../types.ts";
import { resumedColumns, textState } from "./_resume.ts";
import { columnsOf, EMPTY, isMissing, textOf, Utf8Buffer } from "./_values.ts";

/** Config of the CSV format. */
export const CsvFormatConfig = z.object({
  delimiter: z.string().length(1).refine((d) => !`"\r\n`.includes(d), {
    message: "The delimiter cannot be a quote or a line break",
  }).default(",").describe("Field separator, one character"),
  lineEnding: z.enum(["crlf", "lf"]).default("crlf")
    .describe("CRLF (RFC 4180, Excel) or LF (Unix tools)"),
  header: z.boolean().default(true).describe("Write a first row with the column names"),
  escapeFormulas: z.boolean().default(true)
    .describe("Prefix cells that a spreadsheet would run as a formula with '"),
});

/** A number a spreadsheet shows as a number: safe to leave a leading sign on it. */
const PLAIN_NUMBER = /^[+-](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Does this text start like a formula (`=`, `+`, `-`, `@`, tab, CR) without being a number? */
export function isFormulaLike(text: string): boolean {
  const c = text.charCodeAt(0);
  // = + - @ \t \r
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return false;
  return !((c === 43 || c === 45) && PLAIN_NUMBER.test(text));
}

/** Turns one value into a CSV field for the given options. */
function fieldWriter(delimiter: string, escapeFormulas: boolean): (value: unknown) => string {
  const special = new RegExp(`["\\r\\n${delimiter.replace(/[\\^\]-]/g, "\\$&")}]`);
  return (value) => {
    if (isMissing(value)) return "";
    let text = textOf(value);
    if (typeof value === "string" && escapeFormulas && isFormulaLike(text)) text = `'${text}`;
    return special.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
}

/** The CSV format. */
export const csvFormat = defineFormat({
  type: "csv",
  title: "CSV",
  description: "Comma-separated values (RFC 4180) with a header row; formula cells neutralised",
  config: CsvFormatConfig,
  secrets: [],
  extension: "csv",
  contentType: "text/csv; charset=utf-8",
  create(config, schema, { resume }) {
    const bytes = new Utf8Buffer();
    const eol = config.lineEnding === "lf" ? "\n" : "\r\n";
    const field = fieldWriter(config.delimiter, config.escapeFormulas);
    // Resumed after the header: the earlier step wrote it with these columns.
    let columns: Column[] | undefined = resumedColumns("csv", schema, resume);
    let names: string[] = columns?.map((c) => c.name) ?? [];
    const start = (rows: Row[]): string => {
      columns = columnsOf(schema, rows);
      names = columns.map((c) => c.name);
      if (!config.header) return "";
      // Column names come from users' files too, so they get the same treatment as cells.
      return names.map(field).join(config.delimiter) + eol;
    };
    return {
      encode(rows) {
        if (rows.length === 0) return EMPTY;
        let out = columns ? "" : start(rows);
        const n = names.length;
        const cells = new Array<string>(n);
        for (const row of rows) {
          for (let i = 0; i < n; i++) cells[i] = field(row[names[i]]);
          out += cells.join(config.delimiter) + eol;
        }
        return bytes.encode(out);
      },
      end() {
        return columns ? EMPTY : bytes.encode(start([]));
      },
      state: () => textState("csv", schema, columns),
    };
  },
});
