/**
 * The immunizations part of the report page: by vaccine (CVX code and name), by CDC status, by
 * year, a line of the latest months, patients with at least one immunization, and how many
 * immunizations each patient has.
 * @module
 */
import type { Cell, Count, ImmunizationSection } from "../../analytics/report.ts";
import { LineChart, type Point } from "../../components/charts.tsx";
import { cellLabel, CountTable, DistributionView, Figures, N } from "./ReportParts.tsx";

/** Months the line shows at most (the latest ones; the table has them all). */
export const LINE_MONTHS = 60;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2019-03" → "Mar 2019"; "2019-??" → "2019, month not given". */
export function monthText(key: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (m) return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  return key.endsWith("-??") ? `${key.slice(0, -3)}, month not given` : cellLabel({ key });
}

const vaccine = (c: Cell<Count>) =>
  c.key === "(none)"
    ? "No CVX code"
    : c.label
    ? `${c.key} · ${c.label}`
    : `${c.key} (not in the CDC list)`;

const STATUS: Record<string, string> = { unknown: "Not in the CDC list, or no code" };

const perPatient = (c: Cell<Count>) =>
  c.key === "1"
    ? "1 immunization"
    : c.key === "6-9"
    ? "6 to 9 immunizations"
    : c.key === "10+"
    ? "10 or more"
    : /^\d+$/.test(c.key)
    ? `${c.key} immunizations`
    : cellLabel(c);

const year = (c: Cell<Count>) => (c.key === "(none)" ? "No date" : cellLabel(c));

/** The latest months as points: months missing from the data are 0 unless some were withheld. */
export function monthPoints(byMonth: ImmunizationSection<Count>["byMonth"]): Point[] {
  const dated = byMonth.cells.filter((c) => /^\d{4}-\d{2}$/.test(c.key));
  if (dated.length === 0) return [];
  const counts = new Map(dated.map((c) => [c.key, c.count]));
  const keys = dated.map((c) => c.key).sort();
  const index = (k: string) => Number(k.slice(0, 4)) * 12 + Number(k.slice(5, 7)) - 1;
  const last = index(keys[keys.length - 1]);
  const first = Math.max(index(keys[0]), last - LINE_MONTHS + 1);
  const points: Point[] = [];
  for (let i = first; i <= last; i++) {
    const key = `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
    // A month not listed had none, unless the breakdown withheld some months.
    points.push({ key, count: counts.get(key) ?? (byMonth.withheld ? undefined : 0) });
  }
  return points;
}

/**
 * Immunizations: vaccines, time, and patients. `ownRun`: a run's own report, whose patients
 * with and without an immunization in the same run are worth saying.
 */
export function ImmunizationsSection(
  props: { immunizations: ImmunizationSection<Count>; ownRun: boolean },
) {
  const im = props.immunizations;
  const total = { label: "All immunizations", count: im.total };
  const inRun = im.patients.inRun;
  const points = monthPoints(im.byMonth);
  const span = points.length > 0
    ? `${monthText(points[0].key)} to ${monthText(points[points.length - 1].key)}`
    : "";
  const hidden = points.filter((p) => typeof p.count !== "number").length;
  const figures = [
    { label: "Immunizations", count: im.total },
    {
      label: "Patients with at least one",
      count: im.patients.referenced,
      help: props.ownRun && inRun
        ? (
          <>
            Of this run's own patients, <N count={inRun.with} /> have one and{" "}
            <N count={inRun.without} /> do not.
          </>
        )
        : "different patients the immunizations refer to",
    },
    {
      label: "Immunizations per patient",
      value: im.perPatient.mean === null ? "—" : String(im.perPatient.mean),
      help: im.perPatient.mean === null
        ? "not shown"
        : `on average${im.perPatient.median === null ? "" : `; median ${im.perPatient.median}`}`,
    },
  ];
  return (
    <section class="card report-section" aria-labelledby="immunizations-h">
      <h2 id="immunizations-h">Immunizations</h2>
      <Figures items={figures} />
      <section class="report-block" aria-labelledby="months-h">
        <h3 id="months-h">Immunizations per month{span && `, ${span}`}</h3>
        {points.length === 0 ? <p class="help">No immunization has a month to show.</p> : (
          <LineChart
            id="chart-months"
            title={`Immunizations per month, ${span}`}
            desc={`${points.length} months. ${
              hidden > 0
                ? `${hidden} months have counts hidden to protect small numbers; the line breaks there.`
                : ""
            }`}
            points={points}
            tick={(key, i) =>
              points.length <= 13
                ? MONTHS[Number(key.slice(5, 7)) - 1]
                : key.endsWith("-01") || (i === 0 && Number(key.slice(5, 7)) <= 6)
                ? key.slice(0, 4)
                : undefined}
          />
        )}
        {hidden > 0 && (
          <p class="help">
            <span class="legend-hidden" aria-hidden="true"></span>{" "}
            The line breaks at months whose count is hidden to protect small numbers.
          </p>
        )}
        {im.byMonth.cells.length > 0 && (
          <details class="numbers">
            <summary>Numbers: every month</summary>
            <CountTable
              dimension="month"
              withheld={im.byMonth.withheld}
              caption="Immunizations per month"
              head="Month"
              rows={im.byMonth.cells.map((c) => ({ label: monthText(c.key), count: c.count }))}
            />
          </details>
        )}
      </section>
      <div class="report-grid">
        <DistributionView
          id="vaccine"
          title="Immunizations by vaccine"
          head="Vaccine (CVX code · name)"
          dist={im.byVaccine}
          label={vaccine}
          total={total}
          shares
        />
        <DistributionView
          id="year"
          title="Immunizations by year"
          head="Year"
          dist={im.byYear}
          label={year}
          total={total}
          labelWidth={64}
        />
        <DistributionView
          id="cvxStatus"
          title="Vaccine codes by CDC status"
          head="CDC status of the code"
          dist={im.byCvxStatus}
          label={(c) => cellLabel(c, STATUS)}
          total={total}
          shares
        />
        <DistributionView
          id="perPatient"
          title="Immunizations per patient"
          head="Immunizations"
          dist={im.perPatient.distribution}
          label={perPatient}
          total={{ label: "Patients referred to", count: im.patients.referenced }}
        />
      </div>
    </section>
  );
}
