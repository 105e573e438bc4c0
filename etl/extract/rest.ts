/**
 * The REST API source: GET a JSON endpoint, take the records at a JSON pointer, and page
 * through by page number, offset, cursor, next URL or Link header. Requests go through
 * {@link safeGet}: the private-network policy on every request and redirect, deadlines, a size
 * cap, retries with backoff, and credentials that never show in messages, refs or cursors.
 *
 * One batch per page (pages larger than the batch size are split). The cursor resumes at the
 * next page and record; an API key sent in the query is left out of stored next-page URLs and
 * added again on each request. When `maxPages` stops a run while the API had more, the last
 * batch's cursor says `stoppedAtPageLimit: true`.
 * @module
 */
import { z } from "zod";
import { defineExtractor } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { type HttpResponse, safeGet } from "../net/http.ts";
import type { RunContext } from "../types.ts";
import {
  checkAuth,
  HTTP_SECRETS,
  HttpFields,
  httpSetup,
  httpUrl,
  jsonPointer,
} from "./_rest_config.ts";
import { parseBody, recordsAt } from "./_rest_json.ts";
import { type Page, type PageReader, type Position, readPages } from "./_rest_pages.ts";
import { checkPaging, pagerFor, PagingFields } from "./_rest_paging.ts";

/** Config of the REST API source. */
export const RestConfig = z.object({
  url: httpUrl().describe("Address of the API endpoint, e.g. https://api.example.org/v1/patients"),
  query: z.record(z.string(), z.string()).default({})
    .describe('Query parameters sent with every request, e.g. { "status": "active" }'),
  recordsPointer: jsonPointer().default("").describe(
    'JSON pointer to the list of records in each response, e.g. "/data"; empty when the response is the list',
  ),
  ...PagingFields,
  ...HttpFields,
}).superRefine((config, ctx) => {
  checkAuth(config, ctx);
  checkPaging(config, ctx);
});

/** A parsed REST source config. */
export type RestConfig = z.output<typeof RestConfig>;

/** Reads pages of one REST source; `status` of the last response, for the connection test. */
function restReader(ctx: RunContext, config: RestConfig): PageReader & { status: number } {
  const base = new URL(config.url);
  for (const [name, value] of Object.entries(config.query)) base.searchParams.set(name, value);
  const { options, redact } = httpSetup(ctx, config, config.url);
  const pager = pagerFor(config, base, redact);
  let previous: string | undefined;
  const reader = {
    start: pager.start,
    status: 0,
    async fetch(position: Position): Promise<Page> {
      const url = pager.url(position);
      const shown = redact.show(url);
      const res: HttpResponse = await safeGet(url, options);
      reader.status = res.status;
      const text = res.text();
      const body = parseBody(text, shown);
      const records = recordsAt(body, config.recordsPointer, shown, "recordsPointer");
      // An API that ignores the page parameter sends page 1 forever: say so, not loop or repeat.
      if (records.length > 0 && text === previous) {
        const param = config.pagination === "page" ? config.pageParam : config.offsetParam;
        throw new ConfigError(
          `The API returned the same records for ${shown} as for the page before: it seems to ignore the "${param}" parameter; check the pagination settings`,
        );
      }
      previous = config.pagination === "page" || config.pagination === "offset" ? text : undefined;
      const next = pager.next(position, { url, headers: res.headers, body, count: records.length });
      return {
        source: shown,
        records: records.map((value, index) => ({ value, index })),
        next,
      };
    },
  };
  return reader;
}

/** The REST API source. */
export const restExtractor = defineExtractor({
  type: "rest",
  title: "REST API",
  description:
    "A JSON web API: records at a JSON pointer, read page by page (page number, offset, cursor, next link or Link header)",
  config: RestConfig,
  secrets: HTTP_SECRETS,
  fingerprint: () => Promise.resolve([]),
  async test(ctx, config) {
    const reader = restReader(ctx, config);
    const page = await reader.fetch(reader.start);
    const n = page.records.length;
    return {
      message: `Reached ${new URL(config.url).host}: HTTP ${reader.status}, ${n} ${
        n === 1 ? "record" : "records"
      } on the first page`,
    };
  },
  run(ctx, config, { from, batchSize }) {
    return readPages(ctx, restReader(ctx, config), { from, batchSize, maxPages: config.maxPages });
  },
});
