/**
 * The JSON file source: a top-level array, an array inside an object at a JSON pointer (FHIR
 * Bundle entries, API dumps), NDJSON, or a lone object. Files are scanned in pieces and each
 * record parsed alone, so memory stays flat whatever the size. Records that are not objects or
 * not valid JSON are rejected with their line; a truncated file ends the run with a ConfigError.
 *
 * The cursor is `{ offset, line, index }`: the byte offset and line right after the last record
 * read, and the next record's index. Arrays add `frames`, the brackets enclosing the records
 * (`"{["` for `/entry`), so a resumed run starts scanning at that offset without re-reading.
 * @module
 */
import { basename } from "node:path";
import { z } from "zod";
import { defineExtractor } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { fingerprintInput } from "../fingerprint.ts";
import { resolveInside } from "../paths.ts";
import type { Batch, Cursor, ExtractOptions, RunContext, SourceRef } from "../types.ts";
import { ByteCounter, readChunks } from "./_json_chunks.ts";
import { detectJsonLayout, type JsonLayout } from "./_json_layout.ts";
import { BatchBuilder } from "./_json_records.ts";
import { type JsonElement, JsonScanner, JsonShapeError, parsePointer } from "./_json_scanner.ts";
import { readPieces } from "./_text_file.ts";

const POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** Config of the JSON source. */
export const JsonConfig = z.object({
  path: z.string().min(1).describe("File to read, relative to the input folder"),
  layout: z.enum(["auto", "array", "pointer", "ndjson"]).default("auto").describe(
    'How records are held; auto: "[" is an array, "{" with a pointer the array there, one ' +
      "object per line NDJSON, otherwise the one object is the only record",
  ),
  pointer: z.string().regex(POINTER, 'must be a JSON pointer such as "/entry" or "/data/items"')
    .optional().describe('JSON pointer to the array of records, e.g. "/entry" in a FHIR Bundle'),
  unwrap: z.string().min(1).optional()
    .describe('Take this field of each record as the row, e.g. "resource" for Bundle entries'),
  encoding: z.enum(["auto", "utf-8", "windows-1252"]).default("auto")
    .describe("Text encoding; auto reads UTF-8 and falls back to Windows-1252"),
}).refine((c) => c.layout !== "pointer" || c.pointer !== undefined, {
  path: ["pointer"],
  message: 'layout "pointer" needs a pointer such as "/entry"',
}).refine((c) => c.pointer === undefined || c.layout === "auto" || c.layout === "pointer", {
  path: ["pointer"],
  message: 'a pointer is only used with layout "auto" or "pointer"',
});

/** What both readers need. */
interface ReadJob extends ExtractOptions {
  full: string;
  label: string;
  layout: JsonLayout;
  unwrap: string | undefined;
}

/** The JSON file source. */
export const jsonExtractor = defineExtractor({
  type: "json",
  title: "JSON file",
  description: "A JSON array, an array inside an object (FHIR Bundle entries), or NDJSON",
  config: JsonConfig,
  secrets: [],
  fingerprint: (ctx, config) => fingerprintInput(ctx.inputRoot, config.path),
  async *run(ctx, config, { from, batchSize }) {
    const full = resolveInside(ctx.inputRoot, config.path, "input file");
    const label = basename(config.path);
    const layout = await detectJsonLayout(full, label, config);
    const job: ReadJob = { full, label, layout, unwrap: config.unwrap, from, batchSize };
    yield* layout.kind === "ndjson" ? readLines(ctx, job) : readElements(ctx, job);
  },
});

/** NDJSON: one record per non-blank line. */
async function* readLines(ctx: RunContext, job: ReadJob): AsyncGenerator<Batch> {
  const { label, unwrap, from, batchSize } = job;
  let line = from ? Number(from.line) : 1;
  let index = from ? Number(from.index) : 0;
  const batch = new BatchBuilder();
  // Where the last record ended, turned into a cursor only when a batch is taken.
  let lastBytes: ByteCounter | undefined;
  let lastEnd = 0;
  let lastLine = line;
  const offset = from ? Number(from.offset) : job.layout.dataOffset;
  for await (const piece of readPieces(job.full, offset, job.layout.encoding, label)) {
    if (ctx.signal.aborted) return;
    const s = piece.text;
    const len = s.length;
    const bytes = new ByteCounter(s, piece.offset, job.layout.encoding);
    let pos = 0;
    while (pos < len) {
      let nl = s.indexOf("\n", pos);
      if (nl === -1) nl = len;
      const start = pos;
      const ref: SourceRef = { source: label, line: line++, index };
      pos = nl + 1;
      if (s.charCodeAt(start) !== 123 && s.slice(start, nl).trim() === "") continue;
      index++;
      batch.add(s.slice(start, nl), ref, unwrap, false);
      const after = pos < len ? pos : len;
      if (batch.size >= batchSize) yield batch.take({ offset: bytes.at(after), line, index });
      else {
        lastBytes = bytes;
        lastEnd = after;
        lastLine = line;
      }
    }
  }
  if (batch.size > 0 && lastBytes) {
    yield batch.take({ offset: lastBytes.at(lastEnd), line: lastLine, index });
  }
}

/** Arrays and lone objects: scan to the records and cut each one out. */
async function* readElements(ctx: RunContext, job: ReadJob): AsyncGenerator<Batch> {
  const { label, layout, unwrap, from, batchSize } = job;
  const scanner = new JsonScanner(
    layout.pointer,
    from ? { line: Number(from.line), resume: resumeOf(from, layout, label) } : {},
  );
  const batch = new BatchBuilder();
  let last: JsonElement | undefined;
  let lastBytes: ByteCounter | undefined;
  const cursorAfter = (el: JsonElement, bytes: ByteCounter): Cursor => ({
    offset: bytes.at(el.end),
    line: el.endLine,
    index: el.index + 1,
    frames: scanner.frames,
  });
  const offset = from ? Number(from.offset) : layout.dataOffset;
  try {
    for await (const piece of readChunks(job.full, offset, layout.encoding, label)) {
      if (ctx.signal.aborted) return;
      const bytes = new ByteCounter(piece.text, piece.offset, layout.encoding);
      for (const el of scanner.push(piece.text, piece.final)) {
        batch.add(el.text, { source: label, line: el.line, index: el.index }, unwrap, true);
        last = el;
        lastBytes = bytes;
        if (batch.size >= batchSize) yield batch.take(cursorAfter(el, bytes));
      }
    }
    if (batch.size > 0 && last && lastBytes) yield batch.take(cursorAfter(last, lastBytes));
    scanner.finish();
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    const hint = layout.kind === "object" && err.message.startsWith("unexpected text after")
      ? '; if each line is one record, set "layout" to "ndjson"'
      : "";
    throw new ConfigError(`Cannot read "${label}": ${err.message}${hint}`);
  }
}

/** The scanner's resume point from a cursor this source made for the same file and config. */
function resumeOf(from: Cursor, layout: JsonLayout, label: string) {
  const frames = from.frames;
  const depth = layout.pointer === null ? 0 : parsePointer(layout.pointer).length + 1;
  if (typeof frames !== "string" || !/^[{[]*$/.test(frames) || frames.length !== depth) {
    throw new ConfigError(`Cannot resume "${label}": the cursor does not fit this file's layout`);
  }
  return { frames, index: Number(from.index) };
}
