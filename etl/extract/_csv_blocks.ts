/**
 * The CSV source's columnar read: a UTF-8 file's records as {@link CsvBlock} batches of byte
 * ranges, with the same cursor, rejections and errors as the row read in `csv.ts`.
 * @module
 */
import { isUtf8 } from "node:buffer";
import type { CsvBlock } from "../columnar.ts";
import { ConfigError } from "../errors.ts";
import type { Batch, RunContext } from "../types.ts";
import { CsvBlockScanner } from "./csv_block.ts";
import { openInput } from "./_text_file.ts";

const CHUNK = 1 << 20;
const LF = 10;

/** Where and how to read: the file, its header's layout, the first record's offset and line. */
export interface BlockRead {
  fullPath: string;
  label: string;
  columns: readonly string[];
  delimiter: string;
  offset: number;
  line: number;
  batchSize: number;
  /** Bytes per read (tests make it small to cut records across reads). */
  chunkBytes?: number;
}

/**
 * Batches of at most `batchSize` records (taken and rejected) as CSV blocks. The bytes of a
 * block are read into one buffer that the next block reuses: consume each batch before the next.
 */
export async function* readCsvBlocks(ctx: RunContext, read: BlockRead): AsyncGenerator<Batch> {
  const { label, columns, batchSize } = read;
  const file = await openInput(read.fullPath, label);
  try {
    await file.seek(read.offset, Deno.SeekMode.Start);
    const scanner = new CsvBlockScanner(read.delimiter, columns.length, batchSize);
    let buf = new Uint8Array(read.chunkBytes ?? 2 * CHUNK);
    let len = 0;
    // File offset of buf[0].
    let offset = read.offset;
    let line = read.line;
    let final = false;
    // buf[0, checked) is known to be valid UTF-8.
    let checked = 0;
    while (!final) {
      if (len === buf.length) {
        // A record longer than the buffer.
        const next = new Uint8Array(buf.length * 2);
        next.set(buf);
        buf = next;
      }
      const n = await file.read(buf.subarray(len));
      if (n === null) final = true;
      else len += n;
      // Checked up to the last line break, so no character is cut, and before the scanner
      // unescapes quotes in place (that leaves stray bytes between fields).
      const whole = final ? len : buf.lastIndexOf(LF, len - 1) + 1;
      if (whole > checked) {
        if (!isUtf8(buf.subarray(checked, whole))) {
          throw new ConfigError(
            `Cannot read "${label}": bytes after offset ${
              offset + checked
            } are not valid utf-8; set "encoding" to "windows-1252" or save the file as UTF-8`,
          );
        }
        checked = whole;
      }
      let pos = 0;
      while (pos < len) {
        if (ctx.signal.aborted) return;
        const next = scanner.scan(buf, pos, len, final, line, batchSize);
        if (next === pos) break;
        line = scanner.line;
        pos = next;
        if (scanner.rows + scanner.rejected.length === 0) continue;
        const block: CsvBlock = {
          kind: "csv",
          source: label,
          columns,
          bytes: buf,
          rows: scanner.rows,
          starts: scanner.starts,
          ends: scanner.ends,
          lines: scanner.lines,
        };
        const rejected = scanner.rejected.map((r) => ({
          ref: { source: label, line: r.line },
          reason: r.reason,
        }));
        yield {
          rows: [],
          refs: [],
          columnar: block,
          ...(rejected.length > 0 ? { rejected } : {}),
          cursor: { offset: offset + pos, line, skip: 0 },
        };
      }
      buf.copyWithin(0, pos, len);
      len -= pos;
      checked -= pos;
      offset += pos;
    }
  } finally {
    file.close();
  }
}
