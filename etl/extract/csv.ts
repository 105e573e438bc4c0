/**
 * The CSV file source: header row, delimiter detection, quoted fields with line breaks, UTF-8
 * (with or without BOM) or Windows-1252, blank lines skipped, ragged rows rejected with their
 * line. The cursor is the byte offset and line right after the last record taken, so a resumed
 * run reads no row twice and parses nothing again.
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
import { readCsvBlocks } from "./_csv_blocks.ts";
import { CsvParser, type CsvRecord, detectDelimiter } from "./csv_parser.ts";
import {
  bomLength,
  openInput,
  PIECE,
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
  const text = new TextDecoder(encoding).decode(body);
  // Parse only as far as the header record: every step of a run reads the layout again.
  let records: CsvRecord[] = [];
  for (let size = 1 << 14; records.length === 0; size *= 4) {
    const cut = size >= text.length ? text.length : text.indexOf("\n", size) + 1 || text.length;
    records = new CsvParser(delimiter, 1).push(text.slice(0, cut), full && cut === text.length);
    if (cut === text.length) break;
  }
  if (records.length === 0) throw new ConfigError(`Cannot read "${label}": no header row`);
  const header = records[0];
  // Byte length of the header record (its line break included).
  const consumed = text.slice(0, header.end);
  const dataLine = header.next;
  const bytes = encoding === "utf-8" ? new TextEncoder().encode(consumed).length : consumed.length;
  return {
    columns: uniqueNames(header.fields),
    delimiter,
    encoding,
    dataOffset: bom + bytes,
    dataLine,
  };
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
  columnar: true,
  async *run(ctx, config, { from, batchSize, columnar }) {
    const full = resolveInside(ctx.inputRoot, config.path, "input file");
    const label = basename(config.path);
    const layout = await readCsvLayout(full, label, config);
    const { columns } = layout;
    const width = columns.length;
    const toRow = rowBuilder(columns, (fields: string[], i) => fields[i]);
    // The resume point: right after the last record taken (read or skipped), as the piece it
    // ended in and its end there; turned into a byte offset only when a cursor is needed.
    // `skip` comes only from cursors of older versions.
    let skip = from ? Number(from.skip ?? 0) : 0;
    if (columnar && layout.encoding === "utf-8" && skip === 0) {
      yield* readCsvBlocks(ctx, {
        fullPath: full,
        label,
        columns,
        delimiter: layout.delimiter,
        offset: from ? Number(from.offset) : layout.dataOffset,
        line: from ? Number(from.line) : layout.dataLine,
        batchSize,
      });
      return;
    }
    const parser = new CsvParser(layout.delimiter, from ? Number(from.line) : layout.dataLine);
    const bytesOf = layout.encoding === "utf-8"
      ? utf8Bytes
      : (_: string, a: number, b: number) => b - a;
    let at = { text: "", offset: from ? Number(from.offset) : layout.dataOffset, counted: 0 };
    let atBytes = 0;
    let end = 0;
    let line = from ? Number(from.line) : layout.dataLine;
    const cursor = (): Cursor => {
      atBytes += bytesOf(at.text, at.counted, end);
      at.counted = end;
      return { offset: at.offset + atBytes, line, skip: 0 };
    };
    let batch = emptyBatch();
    // Small batches (small steps) read small pieces: a step parses little beyond its rows.
    const pieceBytes = Math.min(PIECE, Math.max(4096, batchSize * 256));
    for await (const piece of readPieces(full, at.offset, layout.encoding, label, pieceBytes)) {
      if (ctx.signal.aborted) return;
      const records = parser.push(piece.text, piece.final);
      if (records.length > 0) {
        at = { text: piece.text, offset: piece.offset, counted: 0 };
        atBytes = 0;
        end = 0;
      }
      for (const record of records) {
        end = record.end;
        line = record.next;
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

/** UTF-8 length of `text[from, to)`; a surrogate pair counts 4, a lone surrogate 3 (as U+FFFD). */
function utf8Bytes(text: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < to) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

function emptyBatch(): Batch {
  return { rows: [], refs: [], cursor: {} };
}
