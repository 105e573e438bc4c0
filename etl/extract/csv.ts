/**
 * The CSV file source: header row, delimiter detection, quoted fields with line breaks, UTF-8
 * (with or without BOM) or Windows-1252, blank lines skipped, ragged rows rejected with their
 * line. The cursor is a byte offset plus a record count, so a resumed run reads no row twice.
 * @module
 */
import { basename } from "node:path";
import { z } from "zod";
import { defineExtractor } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { fingerprintInput } from "../fingerprint.ts";
import { resolveInside } from "../paths.ts";
import { rowBuilder } from "../row_builder.ts";
import type { Batch, Cursor, SourceRef } from "../types.ts";
import { CsvParser, detectDelimiter } from "./csv_parser.ts";
import {
  bomLength,
  openInput,
  readHead,
  readPieces,
  sniffEncoding,
  type TextEncoding,
} from "./_text_file.ts";

/** Config of the CSV source. */
export const CsvConfig = z.object({
  path: z.string().min(1).describe("File to read, relative to the input folder"),
  delimiter: z.enum(["auto", ",", ";", "\t", "|"]).default("auto")
    .describe("Field separator; auto picks the one that splits the header best"),
  encoding: z.enum(["auto", "utf-8", "windows-1252"]).default("auto")
    .describe("Text encoding; auto reads UTF-8 and falls back to Windows-1252"),
});

/** What the header line tells about a CSV file. */
export interface CsvLayout {
  columns: string[];
  delimiter: string;
  encoding: TextEncoding;
  /** Byte offset of the first data record. */
  dataOffset: number;
  /** Line number of the first data record. */
  dataLine: number;
}

/** Read the header record, detecting encoding and delimiter unless set. */
export async function readCsvLayout(
  fullPath: string,
  label: string,
  config: z.output<typeof CsvConfig>,
): Promise<CsvLayout> {
  const file = await openInput(fullPath, label);
  let head: Uint8Array;
  let full: boolean;
  try {
    head = await readHead(file, 1 << 20);
    full = head.length < 1 << 20;
  } finally {
    file.close();
  }
  const bom = bomLength(head);
  const encoding = config.encoding === "auto" ? sniffEncoding(head, full) : config.encoding;
  const body = head.subarray(bom);
  const lf = body.indexOf(0x0a);
  const firstLine = new TextDecoder(encoding).decode(lf === -1 ? body : body.subarray(0, lf));
  if (firstLine.trim() === "") throw new ConfigError(`Cannot read "${label}": the file is empty`);
  const delimiter = config.delimiter === "auto" ? detectDelimiter(firstLine) : config.delimiter;
  const parser = new CsvParser(delimiter, 1);
  const text = new TextDecoder(encoding).decode(body);
  const records = parser.push(text, full);
  if (records.length === 0) throw new ConfigError(`Cannot read "${label}": no header row`);
  const header = records[0];
  // Byte length of the header record: re-encode the consumed text (once per run).
  const dataLine = records.length > 1 ? records[1].line : parser.line;
  const consumed = textBeforeLine(text, dataLine);
  const bytes = encoding === "utf-8" ? new TextEncoder().encode(consumed).length : consumed.length;
  return {
    columns: uniqueNames(header.fields),
    delimiter,
    encoding,
    dataOffset: bom + bytes,
    dataLine,
  };
}

/** The text of lines 1 .. line-1, line breaks included. */
function textBeforeLine(text: string, line: number): string {
  let idx = -1;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf("\n", idx + 1);
    if (next === -1) return text;
    idx = next;
  }
  return text.slice(0, idx + 1);
}

/** Empty header names become `column_N`; repeated ones get `_2`, `_3`. */
function uniqueNames(fields: string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((raw, i) => {
    const name = raw.trim() === "" ? `column_${i + 1}` : raw.trim();
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

/** The CSV file source. */
export const csvExtractor = defineExtractor({
  type: "csv",
  title: "CSV file",
  description: "A comma, semicolon, tab or pipe separated file with a header row",
  config: CsvConfig,
  secrets: [],
  async columns(ctx, config) {
    const full = resolveInside(ctx.inputRoot, config.path, "input file");
    return (await readCsvLayout(full, basename(config.path), config)).columns;
  },
  fingerprint: (ctx, config) => fingerprintInput(ctx.inputRoot, config.path),
  async *run(ctx, config, { from, batchSize }) {
    const full = resolveInside(ctx.inputRoot, config.path, "input file");
    const label = basename(config.path);
    const layout = await readCsvLayout(full, label, config);
    const { columns } = layout;
    const width = columns.length;
    const toRow = rowBuilder(columns, (fields: string[], i) => fields[i]);
    let baseOffset = from ? Number(from.offset) : layout.dataOffset;
    let baseLine = from ? Number(from.line) : layout.dataLine;
    let skip = from ? Number(from.skip) : 0;
    let sinceBase = 0;
    const parser = new CsvParser(layout.delimiter, baseLine);
    let batch = emptyBatch();
    const cursor = (): Cursor => ({ offset: baseOffset, line: baseLine, skip: sinceBase });
    for await (const piece of readPieces(full, baseOffset, layout.encoding, label)) {
      if (ctx.signal.aborted) return;
      // A piece that starts with no unfinished record is a record boundary: resume from here.
      if (parser.clean) {
        baseOffset = piece.offset;
        baseLine = parser.line;
        sinceBase = 0;
      }
      for (const record of parser.push(piece.text, piece.final)) {
        sinceBase++;
        if (skip > 0) {
          skip--;
          continue;
        }
        const ref: SourceRef = { source: label, line: record.line };
        const problem = record.error ??
          (record.fields.length !== width
            ? `line ${record.line} has ${record.fields.length} fields, header has ${width}`
            : undefined);
        if (problem) {
          (batch.rejected ??= []).push({
            ref,
            reason: record.error ? `line ${record.line}: ${problem}` : problem,
          });
        } else {
          batch.rows.push(toRow(record.fields));
          batch.refs.push(ref);
        }
        if (batch.rows.length + (batch.rejected?.length ?? 0) >= batchSize) {
          batch.cursor = cursor();
          yield batch;
          batch = emptyBatch();
        }
      }
    }
    if (batch.rows.length > 0 || batch.rejected) {
      batch.cursor = cursor();
      yield batch;
    }
  },
});

function emptyBatch(): Batch {
  return { rows: [], refs: [], cursor: {} };
}
