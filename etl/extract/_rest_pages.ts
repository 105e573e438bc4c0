/**
 * Paging through an API, shared by the REST and FHIR sources: one batch per page (split when a
 * page is larger than the batch size), and a cursor that resumes at the right page and record.
 *
 * The cursor is the position of the page to read next (`page`, `offset`, `after` or `next`,
 * whatever the source uses) plus `skip` (records of that page already delivered) and `pages`
 * (pages fully read, counted against `maxPages`). The last batch's cursor says `end: true`, or
 * `stoppedAtPageLimit: true` when `maxPages` stopped the run while the API had more.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Batch, Cursor, RunContext, SourceRef } from "../types.ts";
import { describe, isObject } from "./_rest_json.ts";

/** Where a page is: plain JSON, stored in cursors, never holding a secret. */
export type Position = Record<string, string | number | null>;

/** One record of a page, with its position in the response (`index`). */
export interface PageRecord {
  value: unknown;
  index: number;
  /** `Patient/123` for FHIR resources. */
  key?: string;
  /** Set when the record cannot be a row. */
  reason?: string;
}

/** A page as a source read it. */
export interface Page {
  /** The page's URL for refs, secrets masked. */
  source: string;
  records: PageRecord[];
  /** The next page, or null after the last. */
  next: Position | null;
}

/** What a source knows about its pages. */
export interface PageReader {
  start: Position;
  fetch(position: Position): Promise<Page>;
}

const CONTROL = new Set(["skip", "pages", "end", "stoppedAtPageLimit"]);

/**
 * Read pages from `from` (or the start) until the last one or `maxPages`. A next position that
 * was already read in this run is a ConfigError: the pagination settings do not move forward.
 */
export async function* readPages(
  ctx: RunContext,
  reader: PageReader,
  options: { from?: Cursor; batchSize: number; maxPages?: number },
): AsyncGenerator<Batch> {
  const { from, batchSize, maxPages } = options;
  if (from?.end === true) return;
  let position = from ? positionOf(from) : reader.start;
  let skip = Number(from?.skip ?? 0);
  let pages = Number(from?.pages ?? 0);
  const seen = new Set<string>();
  while (maxPages === undefined || pages < maxPages) {
    if (ctx.signal.aborted) return;
    seen.add(JSON.stringify(position));
    const page = await reader.fetch(position);
    pages++;
    const next = page.next;
    if (next !== null && seen.has(JSON.stringify(next))) {
      throw new ConfigError(
        `The next page after ${page.source} is a page already read, so paging would never end; check the pagination settings`,
      );
    }
    const limited = next !== null && maxPages !== undefined && pages >= maxPages;
    const after: Cursor = next === null
      ? { end: true, skip: 0, pages }
      : { ...next, skip: 0, pages, ...(limited ? { stoppedAtPageLimit: true } : {}) };
    const total = page.records.length;
    for (let i = skip; i < total; i += batchSize) {
      const end = Math.min(total, i + batchSize);
      const cursor = end === total ? after : { ...position, skip: end, pages: pages - 1 };
      yield toBatch(page, i, end, cursor);
    }
    // The page-limit marker must reach the run even when the last page held nothing to deliver.
    if (limited && total <= skip) yield { rows: [], refs: [], cursor: after };
    if (next === null) return;
    position = next;
    skip = 0;
  }
}

function positionOf(cursor: Cursor): Position {
  const position: Position = {};
  for (const [name, value] of Object.entries(cursor)) {
    if (!CONTROL.has(name) && typeof value !== "boolean") position[name] = value;
  }
  return position;
}

function toBatch(page: Page, start: number, end: number, cursor: Cursor): Batch {
  const batch: Batch = { rows: [], refs: [], cursor };
  for (const record of page.records.slice(start, end)) {
    const ref: SourceRef = { source: page.source, index: record.index };
    if (record.key !== undefined) ref.key = record.key;
    const reason = record.reason ??
      (isObject(record.value)
        ? undefined
        : `record ${record.index} is ${describe(record.value)}, expected an object`);
    if (reason === undefined) {
      batch.rows.push(record.value as Record<string, unknown>);
      batch.refs.push(ref);
    } else {
      (batch.rejected ??= []).push({ ref, reason });
    }
  }
  return batch;
}
