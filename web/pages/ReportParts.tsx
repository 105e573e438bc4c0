/**
 * Building blocks of the report pages: a distribution as a bar chart with its numbers in a
 * table, count tables, summary figures and the words for the report's category keys. Every
 * number shown comes from the suppressed report as it is: nothing here adds, subtracts or
 * divides a hidden count (a share is shown only when both of its counts are).
 * @module
 */
import type { ComponentChildren } from "preact";
import type { Cell, Count, Distribution } from "../../analytics/report.ts";
import { type Bar, BarChart, countText } from "../../components/charts.tsx";

/** Whether a count is shown as a number (not `"<5"`, `"≥5"` or withheld). */
export const isShown = (c: Count | undefined): c is number => typeof c === "number";

/** `count / total` as "12.5%", or "—" when either is hidden or the total is 0. */
export function shareText(count: Count, total: Count | undefined): string {
  if (!isShown(count) || !isShown(total) || total === 0) return "—";
  return percent(count / total);
}

/** A share (0…1) as "97.4%" (one decimal below 100). */
export function percent(share: number): string {
  const p = share * 100;
  return p === 100 || p === 0 ? `${p}%` : `${p.toFixed(1)}%`;
}

const SPECIAL: Record<string, string> = {
  "(none)": "Not recorded",
  "(other)": "Other (rarer values)",
  "(multiple)": "More than one category",
  "(unmapped)": "Not mapped to a category",
};

/** The words for a category: a special key's meaning, else `label` or the key itself. */
export function cellLabel(
  cell: Pick<Cell<Count>, "key" | "label">,
  words?: Record<string, string>,
) {
  return words?.[cell.key] ?? SPECIAL[cell.key] ?? cell.label ?? cell.key;
}

/** One row of a count table. */
export interface CountRow {
  label: ComponentChildren;
  count: Count;
  share?: string;
}

/**
 * A table of counts: a row per category, an optional share column and a total in the footer.
 * `data-dimension` names what it counts (tests read the tables by it).
 */
export function CountTable(props: {
  dimension: string;
  /** Some cells were left out (the rows do not add up to the total). */
  withheld?: boolean;
  caption: string;
  head: string;
  rows: CountRow[];
  total?: { label: string; count: Count };
  shares?: boolean;
}) {
  return (
    <div class="table-wrap">
      <table
        class="report-table"
        data-dimension={props.dimension}
        data-withheld={props.withheld ? "true" : undefined}
      >
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.head}</th>
            <th scope="col" class="num">Count</th>
            {props.shares && <th scope="col" class="num">Share</th>}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td class="num count">{countText(r.count)}</td>
              {props.shares && <td class="num">{r.share ?? "—"}</td>}
            </tr>
          ))}
        </tbody>
        {props.total && (
          <tfoot>
            <tr>
              <th scope="row">{props.total.label}</th>
              <td class="num count total">{countText(props.total.count)}</td>
              {props.shares && <td class="num">{isShown(props.total.count) ? "100%" : "—"}</td>}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

/** A sentence for a chart's `<desc>`: how many categories, the largest, how many hidden. */
export function describe(title: string, bars: Bar[]): string {
  const shown = bars.filter((b) => isShown(b.count)) as (Bar & { count: number })[];
  const hidden = bars.length - shown.length;
  const top = shown.reduce<(Bar & { count: number }) | undefined>(
    (a, b) => (a && a.count >= b.count ? a : b),
    undefined,
  );
  const parts = [`${title}: ${bars.length} ${bars.length === 1 ? "category" : "categories"}.`];
  if (top) parts.push(`The largest is ${top.label} with ${countText(top.count)}.`);
  if (hidden > 0) parts.push(`${hidden} hidden to protect small counts.`);
  return parts.join(" ");
}

/** Options of {@link DistributionView}. */
export interface DistributionProps {
  /** Unique on the page: chart ids derive from it; also the table's `data-dimension`. */
  id: string;
  title: string;
  /** The category column's heading, e.g. "Gender". */
  head: string;
  dist: Distribution<Count>;
  /** The words for a cell (default {@link cellLabel}). */
  label?: (cell: Cell<Count>) => string;
  /** The total the cells add up to, shown under the table (and shares of it). */
  total?: { label: string; count: Count };
  shares?: boolean;
  /** Cells drawn in the chart (default all; the table always lists every cell). */
  chartCells?: (cell: Cell<Count>) => boolean;
  /** Labels beside the bars in a column this wide (pixels): for short labels such as years. */
  labelWidth?: number;
  children?: ComponentChildren;
}

/** A distribution: its bar chart, a note when cells were withheld, and its numbers. */
export function DistributionView(props: DistributionProps) {
  const label = props.label ?? ((c: Cell<Count>) => cellLabel(c));
  const cells = props.dist.cells;
  const charted = cells.filter(props.chartCells ?? (() => true));
  const bars: Bar[] = charted.map((c) => ({ label: label(c), count: c.count, title: label(c) }));
  return (
    <section class="report-block" aria-labelledby={`${props.id}-h`}>
      <h3 id={`${props.id}-h`}>{props.title}</h3>
      {cells.length === 0
        ? <p class="help">Nothing to show{props.dist.withheld ? " (withheld)" : ""}.</p>
        : (
          <BarChart
            id={`chart-${props.id}`}
            title={props.title}
            desc={describe(props.title, bars)}
            bars={bars}
            labelWidth={props.labelWidth}
          />
        )}
      {props.dist.withheld && (
        <p class="help">
          Some categories are left out (withheld) so that small counts cannot be worked out from the
          total.
        </p>
      )}
      {props.children}
      {cells.length > 0 && (
        <details class="numbers">
          <summary>Numbers: {props.title[0].toLowerCase() + props.title.slice(1)}</summary>
          <CountTable
            dimension={props.id}
            caption={props.title}
            head={props.head}
            rows={cells.map((c) => ({
              label: label(c),
              count: c.count,
              share: props.total ? shareText(c.count, props.total.count) : undefined,
            }))}
            total={props.total}
            shares={props.shares}
            withheld={props.dist.withheld}
          />
        </details>
      )}
    </section>
  );
}

/** One summary figure: a count of the report (`count`), or another value (`value`). */
export interface Figure {
  label: string;
  count?: Count;
  value?: string;
  help?: ComponentChildren;
}

/** Summary figures at the top of a report section. */
export function Figures(props: { items: Figure[] }) {
  return (
    <dl class="report-figures">
      {props.items.map((f) => (
        <div class="figure">
          <dt>{f.label}</dt>
          <dd>
            {f.count !== undefined
              ? <span class="figure-value count">{countText(f.count)}</span>
              : <span class="figure-value">{f.value}</span>}
            {f.help && <span class="figure-help">{f.help}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A count inside a sentence, marked as one. */
export function N(props: { count: Count }) {
  return <strong class="count">{countText(props.count)}</strong>;
}
