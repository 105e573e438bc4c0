/**
 * Test helpers that read a report the way its users get it — JSON, CSV, the page's HTML — and
 * check that no count below the threshold shows, and that no hidden count can be worked out
 * from what the page shows.
 * @module
 */
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";

/** Fields of the report JSON whose numbers are not counts. */
const NOT_COUNTS = new Set(["share", "mean", "median", "reportVersion", "threshold"]);

/** Every count of a report JSON with its path: numbers, and hidden ones ("<5", "≥5", withheld). */
export function jsonCounts(value: unknown, path = ""): [string, number | string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonCounts(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const out: [string, number | string][] = [];
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (typeof v === "number" && !NOT_COUNTS.has(key)) out.push([at, v]);
    else if (typeof v === "string" && /^(<\d+|≥\d+|withheld)$/.test(v)) out.push([at, v]);
    else out.push(...jsonCounts(v, at));
  }
  return out;
}

/** A shown count as a number ("1,506" → 1506), or undefined for a hidden one. */
export function numberOf(text: string): number | undefined {
  const t = text.trim();
  return /^\d{1,3}(,\d{3})*$|^\d+$/.test(t) ? Number(t.replaceAll(",", "")) : undefined;
}

/** Asserts every count is 0 or at least `k` and that some counts are hidden as "<k". */
export function assertHides(counts: [string, number | string][], k: number, what: string) {
  const small = counts.filter(([, v]) => typeof v === "number" && v > 0 && v < k);
  assert.deepEqual(small, [], `${what}: counts below ${k} are shown`);
  const unknown = counts.filter(([, v]) =>
    typeof v === "string" && !/^(<|≥)\d+$|^withheld$/.test(v)
  );
  assert.deepEqual(unknown, [], `${what}: counts that are neither numbers nor hidden`);
  assert.ok(counts.some(([, v]) => v === `<${k}`), `${what}: nothing was hidden as "<${k}"`);
}

/** The counts of a report CSV (rows whose value is a count). */
export function csvCounts(csv: string): [string, number | string][] {
  const rows: Record<string, string>[] = parse(csv, { columns: true });
  return rows
    .filter((r) => r.section !== "report" && !["share", "mean", "median"].includes(r.category))
    .filter((r) => !(r.section === "checks" && ["status", "example"].includes(r.category)))
    .filter((r) => !(r.section === "comparison" && ["previousRun", "checks"].includes(r.dimension)))
    .map((r) => [`${r.section},${r.dimension},${r.category}`, numberOf(r.value) ?? r.value]);
}

const decode = (html: string) =>
  html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").trim();

/** Every count on a report page: elements of class `count` and the charts' value labels. */
export function pageCounts(html: string): [string, number | string][] {
  const out: [string, number | string][] = [];
  const re = /<(td|span|strong|text)\b[^>]*class="([^"]*)"[^>]*>([\s\S]*?)<\/\1>/g;
  for (const m of html.matchAll(re)) {
    const classes = m[2].split(/\s+/);
    if (!classes.includes("count") && !classes.includes("bar-value")) continue;
    const text = decode(m[3]);
    out.push([`${m[1]}.${classes.join(".")}`, numberOf(text) ?? text]);
  }
  return out;
}

/** A table of counts on the page: its rows (label → count text) and total, by dimension. */
export interface PageTable {
  dimension: string;
  withheld: boolean;
  rows: [string, string][];
  total?: string;
}

/** The page's tables of counts (`table.report-table` with `data-dimension`). */
export function pageTables(html: string): PageTable[] {
  const tables: PageTable[] = [];
  const re =
    /<table class="report-table[^"]*" data-dimension="([^"]+)"([^>]*)>([\s\S]*?)<\/table>/g;
  for (const m of html.matchAll(re)) {
    const row =
      /<tr[^>]*>\s*<th scope="row"[^>]*>([\s\S]*?)<\/th>\s*<td class="num count[^"]*">([\s\S]*?)<\/td>/g;
    const [body, foot = ""] = m[3].split("<tfoot>");
    tables.push({
      dimension: m[1],
      withheld: m[2].includes('data-withheld="true"'),
      rows: [...body.matchAll(row)].map((r) => [decode(r[1]), decode(r[2])]),
      total: [...foot.matchAll(row)].map((r) => decode(r[2]))[0],
    });
  }
  return tables;
}

/**
 * Asserts no "<k" part of `parts` can be pinned to one value from the shown total and parts:
 * "<k" is 1…k−1, "≥k" is k…(the smallest shown part), the attacker that suppress.ts assumes.
 */
export function assertNotPinned(parts: string[], total: string, k: number, what: string) {
  const t = numberOf(total);
  if (t === undefined) return;
  const shown = parts.map(numberOf).filter((v): v is number => v !== undefined);
  const ceiling = Math.min(t, ...shown.filter((v) => v > 0));
  const rest = t - shown.reduce((a, b) => a + b, 0);
  const bounds = parts.filter((p) => numberOf(p) === undefined).map((p) =>
    p === `<${k}` ? [1, k - 1] : p === `≥${k}` ? [k, ceiling] : [0, t]
  );
  bounds.forEach(([lo, hi], i) => {
    if (hi !== k - 1 || lo !== 1) return;
    const others = bounds.filter((_, j) => j !== i);
    const min = Math.max(1, rest - others.reduce((a, b) => a + b[1], 0));
    const max = Math.min(k - 1, rest - others.reduce((a, b) => a + b[0], 0));
    assert.ok(min < max, `${what}: a "<${k}" is exactly ${min} (total ${total}, parts ${parts})`);
  });
}

/**
 * The page shows no count below `k`, every hidden bar has one width, and no "<k" can be worked
 * out from a table's total (nor a month's from its year); returns how many "<k" it checked.
 */
export function assertPageHides(html: string, k: number, what: string): number {
  assertHides(pageCounts(html), k, what);
  const hiddenBars = [...html.matchAll(/<rect [^>]*width="([^"]+)"[^>]*class="bar-hidden"/g)];
  const hiddenLabels = html.match(/class="bar-value bar-value-hidden"/g) ?? [];
  assert.equal(hiddenBars.length, hiddenLabels.length, `${what}: a hidden count without its bar`);
  const widths = new Set(hiddenBars.map((m) => m[1]));
  assert.ok(widths.size <= 1, `${what}: hidden bars of different widths ${[...widths]}`);
  let checked = 0;
  const tables = pageTables(html);
  for (const t of tables) {
    // The comparison's rows are two overlapping sums (checked by suppress_test.ts).
    if (t.withheld || t.total === undefined || t.dimension === "comparison") continue;
    assertNotPinned(t.rows.map((r) => r[1]), t.total, k, `${what}, ${t.dimension}`);
    checked += t.rows.filter((r) => r[1] === `<${k}`).length;
  }
  const patients = tables.find((t) => t.dimension === "gender")?.total;
  const completeness =
    /<tr>\s*<th scope="row">([^<]*)<\/th>\s*<td class="num count">([^<]*)<\/td>\s*<td class="num count">([^<]*)<\/td>/g;
  const block = html.split('data-dimension="completeness"')[1]?.split("</table>")[0] ?? "";
  for (const m of block.matchAll(completeness)) {
    assertNotPinned([decode(m[2]), decode(m[3])], patients ?? "", k, `${what}, ${m[1]}`);
  }
  const years = tables.find((t) => t.dimension === "year");
  const months = tables.find((t) => t.dimension === "month");
  for (const [year, total] of months?.withheld ? [] : years?.rows ?? []) {
    const parts = (months?.rows ?? []).filter(([label]) => label.includes(year)).map((r) => r[1]);
    if (parts.length > 0) assertNotPinned(parts, total, k, `${what}, months of ${year}`);
  }
  return checked;
}
