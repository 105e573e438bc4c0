/**
 * Server-rendered SVG charts for the report, without a chart library and without inline
 * styles (the CSP forbids them): sizes are SVG attributes in pixels or percentages, colours
 * come from classes in static/app.css ("report" block).
 *
 * Suppressed counts never get a length that tells their value: a `"<5"` or `"≥5"` cell is a
 * short hatched bar of one fixed width labelled with its text, and a month whose count is not
 * shown is a gap in the line with a mark on the axis. Each chart has a `<title>` and `<desc>`;
 * the pages put the same numbers in a table beside it.
 * @module
 */
import type { Count } from "../analytics/report.ts";

/** A count as the report shows it: 1,506, `<5`, `≥5`, or "withheld". */
export function countText(count: Count): string {
  return typeof count === "number" ? count.toLocaleString("en-US") : count;
}

/** One bar: its label, its count, and an optional longer text (tooltip). */
export interface Bar {
  label: string;
  count: Count;
  title?: string;
}

/** Row height, bar height and where the bar starts in each row, in pixels. */
const ROW = 42, BAR = 14, BAR_Y = 20;
/** The same with the label beside the bar (`labelWidth`): short labels like years. */
const COMPACT_ROW = 24, COMPACT_BAR_Y = 5;
/** Widest bar (percent of the chart), leaving room for the count after it. */
const MAX_PCT = 82, COMPACT_MAX_PCT = 64;
/** The one width every hidden bar has, whatever it hides. */
const HIDDEN_PCT = 2.5;
/** Labels longer than this are cut (the table beside the chart has them whole). */
const LABEL_CHARS = 46;

const cut = (text: string) =>
  text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1).trimEnd()}…` : text;

/** The hatch fill of hidden bars (one per chart, so ids stay unique on the page). */
function Hatch(props: { id: string }) {
  return (
    <defs>
      <pattern
        id={props.id}
        width="6"
        height="6"
        patternUnits="userSpaceOnUse"
        patternTransform="rotate(45)"
      >
        <rect width="6" height="6" class="hatch-bg" />
        <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
      </pattern>
    </defs>
  );
}

/**
 * Horizontal bars, the label above each bar and the count after it. Bars of shown counts are
 * as long as their share of the largest shown count.
 *
 * @example
 * ```tsx
 * <BarChart id="gender" title="Patients by gender" desc="…"
 *   bars={[{ label: "Female", count: 60 }, { label: "Other", count: "<5" }]} />
 * ```
 */
export function BarChart(props: {
  id: string;
  title: string;
  desc: string;
  bars: Bar[];
  /** Put each label beside its bar in a column this wide (pixels), for short labels. */
  labelWidth?: number;
}) {
  const { id, bars, labelWidth } = props;
  const max = Math.max(0, ...bars.map((b) => (typeof b.count === "number" ? b.count : 0)));
  const hatch = `${id}-hatch`;
  const row = labelWidth ? COMPACT_ROW : ROW;
  const barY = labelWidth ? COMPACT_BAR_Y : BAR_Y;
  const widest = labelWidth ? COMPACT_MAX_PCT : MAX_PCT;
  return (
    <svg
      class={`chart bar-chart${labelWidth ? " compact" : ""}`}
      width="100%"
      height={Math.max(1, bars.length) * row}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
    >
      <title id={`${id}-title`}>{props.title}</title>
      <desc id={`${id}-desc`}>{props.desc}</desc>
      <Hatch id={hatch} />
      {bars.map((b, i) => {
        const y = i * row;
        const hidden = typeof b.count !== "number";
        const pct = hidden
          ? HIDDEN_PCT
          : max === 0 || b.count === 0
          ? 0
          : Math.max(0.6, ((b.count as number) / max) * widest);
        const width = `${pct.toFixed(2)}%`;
        return (
          <g class="bar-row">
            {b.title && <title>{b.title}</title>}
            <text x="0" y={y + (labelWidth ? barY + BAR - 2 : 14)} class="bar-label">
              {cut(b.label)}
            </text>
            {/* Percentages inside the shifted group stay shares of the whole chart's width. */}
            <g transform={labelWidth ? `translate(${labelWidth} 0)` : undefined}>
              <rect
                x="0"
                y={y + barY}
                width={width}
                height={BAR}
                rx="2"
                class={hidden ? "bar-hidden" : "bar"}
                fill={hidden ? `url(#${hatch})` : undefined}
              />
              <text
                x={width}
                dx="6"
                y={y + barY + BAR - 2}
                class={hidden ? "bar-value bar-value-hidden" : "bar-value"}
              >
                {countText(b.count)}
              </text>
            </g>
          </g>
        );
      })}
    </svg>
  );
}

/** One point of a line chart: `count` undefined when the period is not shown (withheld). */
export interface Point {
  key: string;
  count: Count | undefined;
}

const HEIGHT = 240, TOP = 22, PLOT = 176;
/** Left edge and width of the plot, in percent, so the first and last labels fit. */
const LEFT = 3, SPAN = 94;

/** A round step for the value axis: 1, 2 or 5 times a power of ten. */
function step(max: number): number {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, rough)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? power * 10;
}

/** Runs of consecutive shown points, as polyline point lists in the plot's own units. */
function segments(points: Point[], top: number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (typeof p.count === "number") {
      current.push(`${i},${top - p.count}`);
    } else if (current.length > 0) {
      out.push(current.join(" "));
      current = [];
    }
  });
  if (current.length > 0) out.push(current.join(" "));
  return out;
}

/**
 * A line over consecutive periods (e.g. months). Periods whose count is suppressed break the
 * line and get a hatched mark on the axis; `label(key)` names the x axis ticks shown.
 */
export function LineChart(props: {
  id: string;
  title: string;
  desc: string;
  points: Point[];
  /** The axis label of a point, or undefined for no tick there. */
  tick: (key: string, index: number) => string | undefined;
}) {
  const { id, points } = props;
  const shown = points.map((p) => (typeof p.count === "number" ? p.count : 0));
  const unit = step(Math.max(1, ...shown));
  const top = Math.max(unit, Math.ceil(Math.max(1, ...shown) / unit) * unit);
  const n = Math.max(1, points.length - 1);
  const xPct = (i: number) => `${(LEFT + (SPAN * i) / n).toFixed(3)}%`;
  const yPx = (v: number) => TOP + PLOT * (1 - v / top);
  const grid = Array.from({ length: Math.round(top / unit) + 1 }, (_, i) => i * unit);
  const hatch = `${id}-hatch`;
  // A run of one point draws nothing as a line: it gets a dot below instead.
  const lines = segments(points, top).filter((pts) => pts.includes(" "));
  const mark = Math.max(0.4, (SPAN / Math.max(1, points.length)) * 0.7);
  return (
    <svg
      class="chart line-chart"
      width="100%"
      height={HEIGHT}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
    >
      <title id={`${id}-title`}>{props.title}</title>
      <desc id={`${id}-desc`}>{props.desc}</desc>
      <Hatch id={hatch} />
      {grid.map((v) => (
        <g class="grid-line">
          <line x1="0" x2="100%" y1={yPx(v)} y2={yPx(v)} />
          {v > 0 && <text x="0" y={yPx(v) - 4}>{countText(v)}</text>}
        </g>
      ))}
      <svg
        x={`${LEFT}%`}
        y={TOP}
        width={`${SPAN}%`}
        height={PLOT}
        viewBox={`0 0 ${n} ${top}`}
        preserveAspectRatio="none"
        class="plot"
      >
        {lines.map((pts) => (
          <polyline points={pts} class="line" vector-effect="non-scaling-stroke" />
        ))}
      </svg>
      {points.map((p, i) => {
        if (typeof p.count === "number") {
          // A point alone between gaps would be invisible as a line: give it a dot.
          const alone = typeof points[i - 1]?.count !== "number" &&
            typeof points[i + 1]?.count !== "number";
          return alone
            ? <circle key={p.key} cx={xPct(i)} cy={yPx(p.count)} r="3" class="dot" />
            : null;
        }
        return (
          <rect
            x={`${(LEFT + (SPAN * i) / n - mark / 2).toFixed(3)}%`}
            y={TOP + PLOT - 8}
            width={`${mark.toFixed(3)}%`}
            height="8"
            class="mark-hidden"
            fill={`url(#${hatch})`}
          />
        );
      })}
      {points.map((p, i) => {
        const text = props.tick(p.key, i);
        return text === undefined ? null : (
          <g class="x-tick">
            <line x1={xPct(i)} x2={xPct(i)} y1={TOP + PLOT} y2={TOP + PLOT + 5} />
            <text x={xPct(i)} y={TOP + PLOT + 20} text-anchor="middle">{text}</text>
          </g>
        );
      })}
    </svg>
  );
}
