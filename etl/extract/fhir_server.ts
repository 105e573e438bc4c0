/**
 * The FHIR server source: a search (`<base>/<ResourceType>?<params>`) read Bundle by Bundle
 * through `link[relation=next]`, each entry's resource a row. Entries the search only included
 * (`_include`, `_revinclude`) are skipped unless asked for; `outcome` entries always are. An
 * OperationOutcome the server answers with becomes a readable message. Requests go through
 * {@link safeGet} like the REST source: network policy, deadlines, size cap, retries, and
 * credentials kept out of messages, refs and cursors.
 *
 * Cursor: the next link (without an API key sent in the query) plus the record to resume at.
 * Refs: the page URL, the entry's index in the Bundle, and `ResourceType/id` as key.
 *
 * Count (progress): the search's `total` from one `_summary=count` request, when the server
 * gives one; undefined otherwise, and when the rows read would differ from the matches it
 * counts (included resources read too, or a `maxPages` limit).
 * @module
 */
import { z } from "zod";
import { defineExtractor } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { addressOf, type Redactor, safeGet, type SafeGetOptions } from "../net/http.ts";
import type { RunContext } from "../types.ts";
import { checkAuth, HTTP_SECRETS, HttpFields, httpSetup, httpUrl } from "./_rest_config.ts";
import { isObject, parseBody } from "./_rest_json.ts";
import { type PageReader, type PageRecord, readPages } from "./_rest_pages.ts";

const FHIR_JSON = "application/fhir+json";

/** Config of the FHIR server source. */
export const FhirServerConfig = z.object({
  baseUrl: httpUrl().describe("The FHIR server's base address, e.g. https://fhir.example.org/r4"),
  resourceType: z.string().regex(
    /^[A-Z][A-Za-z]{1,63}$/,
    "must be a FHIR resource type such as Patient",
  )
    .describe("Resource type to search, e.g. Patient or Immunization"),
  search: z.string().max(4000).default("").describe(
    'Search parameters as in the address, e.g. "birthdate=ge2000-01-01&_lastUpdated=gt2024-01-01"',
  ),
  pageSize: z.number().int().min(1).max(1000).optional()
    .describe("Resources per page, sent as _count (default: the server's)"),
  includeIncluded: z.boolean().default(false).describe(
    "Also read the resources a search adds with _include or _revinclude",
  ),
  ...HttpFields,
}).superRefine(checkAuth);

/** A parsed FHIR server source config. */
export type FhirServerConfig = z.output<typeof FhirServerConfig>;

/** The readable part of an OperationOutcome: each issue's severity and text (at most 3). */
export function outcomeText(outcome: unknown): string | undefined {
  if (!isObject(outcome) || outcome.resourceType !== "OperationOutcome") return undefined;
  const issues = Array.isArray(outcome.issue) ? outcome.issue.filter(isObject) : [];
  const parts = issues.slice(0, 3).map((issue) => {
    const details = isObject(issue.details) ? issue.details.text : undefined;
    const text = issue.diagnostics ?? details ?? issue.code ?? "no details";
    return `${issue.severity ?? "error"}: ${String(text).replace(/\s+/g, " ").slice(0, 200)}`;
  });
  return parts.length > 0 ? parts.join("; ") : "an OperationOutcome without issues";
}

function describeError(body: string): string | undefined {
  try {
    return outcomeText(JSON.parse(body));
  } catch {
    return undefined;
  }
}

function base(config: FhirServerConfig): string {
  return config.baseUrl.replace(/\/+$/, "");
}

function setup(ctx: RunContext, config: FhirServerConfig): {
  options: SafeGetOptions;
  redact: Redactor;
} {
  const { options, redact } = httpSetup(ctx, config, config.baseUrl, FHIR_JSON);
  return { options: { ...options, describeError }, redact };
}

/** The search URL of the first page. */
export function searchUrl(config: FhirServerConfig): string {
  const url = new URL(`${base(config)}/${config.resourceType}`);
  for (const [name, value] of new URLSearchParams(config.search.replace(/^\?/, ""))) {
    url.searchParams.append(name, value);
  }
  if (config.pageSize !== undefined) url.searchParams.set("_count", String(config.pageSize));
  return url.href;
}

/** The first page's search with `_summary=count` instead of `_count`: only the total. */
export function countUrl(config: FhirServerConfig): string {
  const url = new URL(searchUrl(config));
  url.searchParams.delete("_count");
  url.searchParams.set("_summary", "count");
  return url.href;
}

/** At most this long for the count request (or the source's own timeout when shorter). */
const COUNT_TIMEOUT_MS = 5000;

/**
 * The search's `total` from one `_summary=count` request, or undefined when the server gives
 * none, fails, or the read would not give exactly the matches (included resources, maxPages).
 * One attempt, no retries: a count must not hold the run up.
 */
async function searchTotal(
  ctx: RunContext,
  config: FhirServerConfig,
): Promise<number | undefined> {
  const params = new URLSearchParams(config.search.replace(/^\?/, ""));
  const includes = [...params.keys()].some((name) => /^_(rev)?include(:|$)/.test(name));
  if (config.maxPages !== undefined || (config.includeIncluded && includes)) return undefined;
  try {
    const { options } = setup(ctx, config);
    const response = await safeGet(countUrl(config), {
      ...options,
      maxAttempts: 1,
      timeoutMs: Math.min(options.timeoutMs ?? COUNT_TIMEOUT_MS, COUNT_TIMEOUT_MS),
      onRetry: undefined,
    });
    const bundle: unknown = JSON.parse(response.text());
    if (!isObject(bundle) || bundle.resourceType !== "Bundle") return undefined;
    const total = bundle.total;
    return typeof total === "number" && Number.isSafeInteger(total) && total >= 0
      ? total
      : undefined;
  } catch {
    return undefined;
  }
}

function bundleReader(ctx: RunContext, config: FhirServerConfig): PageReader {
  const { options, redact } = setup(ctx, config);
  return {
    start: {},
    async fetch(position) {
      const url = typeof position.next === "string" ? position.next : searchUrl(config);
      const shown = redact.show(url);
      const bundle = parseBody((await safeGet(url, options)).text(), shown);
      const outcome = outcomeText(bundle);
      if (outcome !== undefined) {
        throw new ConfigError(
          `The FHIR server answered ${shown} with an OperationOutcome: ${outcome}`,
        );
      }
      if (!isObject(bundle) || bundle.resourceType !== "Bundle") {
        const what = isObject(bundle) && typeof bundle.resourceType === "string"
          ? `a ${bundle.resourceType}`
          : "something that is not a FHIR resource";
        throw new ConfigError(
          `The FHIR server answered ${shown} with ${what}, not a search Bundle; check baseUrl and resourceType`,
        );
      }
      const links = Array.isArray(bundle.link) ? bundle.link.filter(isObject) : [];
      const next = links.find((l) => l.relation === "next" && typeof l.url === "string")?.url;
      return {
        source: shown,
        records: entries(bundle.entry, config.includeIncluded),
        next: next
          ? {
            next: redact.strip(addressOf(String(next), url, `The next link of ${shown}`, redact)),
          }
          : null,
      };
    },
  };
}

function entries(list: unknown, includeIncluded: boolean): PageRecord[] {
  if (!Array.isArray(list)) return [];
  const records: PageRecord[] = [];
  list.forEach((entry, index) => {
    const mode = isObject(entry) && isObject(entry.search) ? entry.search.mode : undefined;
    if (mode === "outcome" || (mode === "include" && !includeIncluded)) return;
    const resource = isObject(entry) ? entry.resource : undefined;
    if (!isObject(resource)) {
      records.push({ value: resource, index, reason: `entry ${index} has no resource` });
      return;
    }
    const key = typeof resource.resourceType === "string" && typeof resource.id === "string"
      ? `${resource.resourceType}/${resource.id}`
      : undefined;
    records.push({ value: resource, index, ...(key ? { key } : {}) });
  });
  return records;
}

const RELEASES: [RegExp, string][] = [
  [/^1\.0\./, "DSTU2"],
  [/^3\.0\./, "STU3"],
  [/^4\.0\./, "R4"],
  [/^4\.3\./, "R4B"],
  [/^5\.0\./, "R5"],
];

/** The FHIR server source. */
export const fhirServerExtractor = defineExtractor({
  type: "fhir-server",
  title: "FHIR server",
  description: "Resources from a FHIR server's search, page by page (Bundles with next links)",
  config: FhirServerConfig,
  secrets: HTTP_SECRETS,
  fingerprint: () => Promise.resolve([]),
  count: (ctx, config) => searchTotal(ctx, config),
  async test(ctx, config) {
    const { options, redact } = setup(ctx, config);
    const url = `${base(config)}/metadata`;
    const doc = parseBody((await safeGet(url, options)).text(), redact.show(url));
    const kind = isObject(doc) ? doc.resourceType : undefined;
    if (!isObject(doc) || (kind !== "CapabilityStatement" && kind !== "Conformance")) {
      throw new ConfigError(
        `${
          redact.show(url)
        } did not answer with a CapabilityStatement, so this does not look like a FHIR server's base address; check baseUrl`,
      );
    }
    const version = typeof doc.fhirVersion === "string" ? doc.fhirVersion : "of an unknown version";
    const release = RELEASES.find(([re]) => re.test(version))?.[1];
    const software = isObject(doc.software) && typeof doc.software.name === "string"
      ? `, ${doc.software.name}${
        typeof doc.software.version === "string" ? ` ${doc.software.version}` : ""
      }`
      : "";
    return {
      message: `Reached ${new URL(config.baseUrl).host}: FHIR ${version}${
        release ? ` (${release})` : ""
      }${software}`,
    };
  },
  run(ctx, config, { from, batchSize }) {
    return readPages(ctx, bundleReader(ctx, config), {
      from,
      batchSize,
      maxPages: config.maxPages,
    });
  },
});
