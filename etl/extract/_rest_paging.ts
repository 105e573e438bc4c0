/**
 * The five ways a REST API pages, as config fields and as a pager: the URL of a page, and the
 * next page's position from the response (page number, offset, cursor, next URL, Link header).
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { addressOf, type Redactor } from "../net/http.ts";
import type { Position } from "./_rest_pages.ts";
import { describe, valueAt } from "./_rest_json.ts";
import { jsonPointer } from "./_rest_config.ts";

/** Pagination fields of the REST source. */
export const PagingFields = {
  pagination: z.enum(["none", "page", "offset", "cursor", "nextUrl", "linkHeader"]).default("none")
    .describe(
      "How the API pages: none (one response), page (page number), offset (offset and limit), cursor (a cursor from each response), nextUrl (the next page's address in each response) or linkHeader (the Link header's rel=next)",
    ),
  pageParam: z.string().min(1).default("page").describe("Query parameter of the page number"),
  startPage: z.number().int().min(0).default(1).describe("Number of the first page (0 or 1)"),
  pageSize: z.number().int().min(1).max(100_000).optional()
    .describe("Records to ask for per page (page and offset pagination; needed for offset)"),
  pageSizeParam: z.string().min(1).default("per_page")
    .describe("Query parameter of the page size with page pagination, e.g. per_page or size"),
  offsetParam: z.string().min(1).default("offset").describe("Query parameter of the offset"),
  limitParam: z.string().min(1).default("limit")
    .describe("Query parameter of the page size with offset pagination"),
  cursorPointer: jsonPointer().optional().describe(
    'JSON pointer to the next page\'s cursor in each response, e.g. "/meta/next_cursor"',
  ),
  cursorParam: z.string().min(1).default("cursor")
    .describe("Query parameter the cursor is sent back as"),
  nextPointer: jsonPointer().optional()
    .describe('JSON pointer to the next page\'s address in each response, e.g. "/links/next"'),
};

/** The parsed pagination fields. */
export type PagingConfig = z.output<z.ZodObject<typeof PagingFields>>;

/** Adds an issue for each field the chosen pagination needs but lacks. */
export function checkPaging(config: PagingConfig, ctx: z.RefinementCtx): void {
  const need = (field: keyof PagingConfig, what: string) => {
    if (config[field] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `pagination "${config.pagination}" needs ${what}`,
      });
    }
  };
  if (config.pagination === "offset") need("pageSize", "a page size");
  if (config.pagination === "cursor") {
    need("cursorPointer", 'the cursor\'s JSON pointer, e.g. "/meta/next"');
  }
  if (config.pagination === "nextUrl") {
    need("nextPointer", 'the next address\'s JSON pointer, e.g. "/next"');
  }
}

/** What a pager needs of a fetched page. */
export interface PageResponse {
  url: string;
  headers: Headers;
  body: unknown;
  count: number;
}

/** The URL of each page and the position of the one after. */
export interface Pager {
  start: Position;
  url(position: Position): string;
  next(position: Position, res: PageResponse): Position | null;
}

/** The pager for a config; `base` is the configured URL with its query parameters. */
export function pagerFor(config: PagingConfig, base: URL, redact: Redactor): Pager {
  const withParams = (params: Record<string, string | number>) => {
    const url = new URL(base);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
    return url.href;
  };
  const size = config.pageSize;
  const nextUrl = (link: string | undefined, res: PageResponse): Position | null =>
    link
      ? {
        next: redact.strip(
          addressOf(link, res.url, `The next page of ${redact.show(res.url)}`, redact),
        ),
      }
      : null;
  switch (config.pagination) {
    case "page":
      return {
        start: { page: config.startPage },
        url: (p) =>
          withParams({
            [config.pageParam]: Number(p.page),
            ...(size ? { [config.pageSizeParam]: size } : {}),
          }),
        next: (p, res) => res.count > 0 ? { page: Number(p.page) + 1 } : null,
      };
    case "offset":
      return {
        start: { offset: 0 },
        url: (p) =>
          withParams({ [config.offsetParam]: Number(p.offset), [config.limitParam]: size! }),
        next: (p, res) => res.count > 0 ? { offset: Number(p.offset) + res.count } : null,
      };
    case "cursor":
      return {
        start: { after: null },
        url: (p) => withParams(p.after === null ? {} : { [config.cursorParam]: String(p.after) }),
        next: (_p, res) => {
          const value = valueAt(res.body, config.cursorPointer!);
          if (typeof value === "number") return { after: String(value) };
          if (typeof value === "string" && value !== "") return { after: value };
          return null;
        },
      };
    case "nextUrl":
      return {
        start: {},
        url: (p) => typeof p.next === "string" ? p.next : base.href,
        next: (_p, res) => {
          const value = valueAt(res.body, config.nextPointer!);
          if (value === undefined || value === null || value === "") return null;
          if (typeof value !== "string") {
            throw new ConfigError(
              `The response from ${redact.show(res.url)} has ${
                describe(value)
              } at nextPointer "${config.nextPointer}", not an address; point it at the next page's URL`,
            );
          }
          return nextUrl(value, res);
        },
      };
    case "linkHeader":
      return {
        start: {},
        url: (p) => typeof p.next === "string" ? p.next : base.href,
        next: (_p, res) => nextUrl(nextLink(res.headers.get("link")), res),
      };
    default:
      return { start: {}, url: () => base.href, next: () => null };
  }
}

/** The `rel="next"` target of a Link header (RFC 8288), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = match[2].match(/;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i);
    const rels = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (rels.includes("next")) return match[1];
  }
  return undefined;
}
