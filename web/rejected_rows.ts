/**
 * A run's kept rejected rows for the run page: a page of them (read like
 * `GET /api/v1/runs/:id/rejected` does, from `runKeys.rejectedOf`), where each came from in
 * words, and all of them as a CSV download written by the CSV output format itself (RFC 4180,
 * cells a spreadsheet would run as a formula neutralised: etl/format/csv.ts).
 * @module
 */
import { csvFormat, CsvFormatConfig } from "../etl/format/csv.ts";
import type { RejectedRow } from "../etl/pipeline.ts";
import type { Schema, SourceRef } from "../etl/types.ts";
import { runKeys } from "../runs/run_record.ts";
import { REJECTED_AT } from "../components/run_text.ts";

/** Rejected rows shown per page. */
export const REJECTED_PAGE_SIZE = 50;

/** One page of rejected rows, and whether another follows. */
export interface RejectedPage {
  rows: RejectedRow[];
  page: number;
  hasNext: boolean;
}

/** Every kept rejected row of run `id`, in the order they were found. */
export async function* rejectedRows(
  kv: Deno.Kv,
  tenant: string,
  id: string,
): AsyncGenerator<RejectedRow> {
  for await (const e of kv.list<RejectedRow[]>({ prefix: runKeys.rejectedOf(tenant, id) })) {
    yield* e.value;
  }
}

/** Page `page` (1-based) of run `id`'s kept rejected rows. */
export async function rejectedPage(
  kv: Deno.Kv,
  tenant: string,
  id: string,
  page: number,
  size = REJECTED_PAGE_SIZE,
): Promise<RejectedPage> {
  const from = (page - 1) * size;
  const rows: RejectedRow[] = [];
  let i = 0;
  for await (const row of rejectedRows(kv, tenant, id)) {
    if (i >= from + size) return { rows, page, hasNext: true };
    if (i >= from) rows.push(row);
    i++;
  }
  return { rows, page, hasNext: false };
}

/** Where a rejected row came from: "patients.csv, line 30", "patients, key MRN-1", "item 4". */
export function sourceText(ref: SourceRef): string {
  const where = ref.line !== undefined
    ? `line ${ref.line}`
    : ref.key !== undefined
    ? `key ${ref.key}`
    : ref.index !== undefined
    ? `item ${ref.index + 1}`
    : "";
  return [ref.source, where].filter(Boolean).join(", ");
}

const SCHEMA: Schema = {
  columns: [
    { name: "source", type: "string" },
    { name: "line", type: "integer" },
    { name: "key", type: "string" },
    { name: "index", type: "integer" },
    { name: "stage", type: "string" },
    { name: "reason", type: "string" },
  ],
};

const CHUNK = 500;

/** Run `id`'s kept rejected rows as a CSV byte stream with a header row. */
export function rejectedCsv(kv: Deno.Kv, tenant: string, id: string): ReadableStream<Uint8Array> {
  const encoder = csvFormat.create(CsvFormatConfig.parse({}), SCHEMA, { table: "rejected" });
  const rows = rejectedRows(kv, tenant, id);
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      const batch: Record<string, unknown>[] = [];
      for (let i = 0; i < CHUNK; i++) {
        const next = await rows.next();
        if (next.done) {
          done = true;
          break;
        }
        const { ref, stage, reason } = next.value;
        batch.push({
          source: ref.source,
          line: ref.line ?? null,
          key: ref.key ?? null,
          index: ref.index ?? null,
          stage: REJECTED_AT[stage] ?? stage,
          reason,
        });
      }
      // The encoder reuses its buffer: copy the bytes before the next call.
      if (batch.length > 0) controller.enqueue((await encoder.encode(batch)).slice());
      if (done) {
        const end = await encoder.end();
        if (end.length > 0) controller.enqueue(end.slice());
        controller.close();
      }
    },
  });
}
