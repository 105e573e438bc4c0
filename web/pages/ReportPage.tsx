/**
 * The report pages: a run's basic report, and the tenant's report across the latest run of
 * each pipeline. Both show the suppressed report only (small counts as "<5"), with charts,
 * the same numbers in tables, the quality checks and download links.
 * @module
 */
import type { ComponentChildren } from "preact";
import type { Report } from "../../analytics/report.ts";
import { Layout } from "../../components/Layout.tsx";
import { Alert, PageHead } from "../../components/ui.tsx";
import { formatTime } from "../../components/run_text.ts";
import type { Principal } from "../../routes/deps.ts";
import type { IncludedRun } from "../../routes/report_data.ts";
import { ChecksSection, ComparisonSection } from "./ReportChecks.tsx";
import { ImmunizationsSection } from "./ReportImmunizations.tsx";
import { DistributionView, Figures } from "./ReportParts.tsx";
import { PatientsSection } from "./ReportPatients.tsx";

const TRUNCATED: Record<string, string> = {
  type: "record types",
  source: "sources",
  gender: "genders",
  race: "races",
  ethnicity: "ethnicities",
  state: "states",
  vaccine: "vaccines",
  year: "years",
};

/** What "<5" means, with the threshold in use. */
export function SuppressionNote(props: { threshold: number; settings?: ComponentChildren }) {
  const k = props.threshold;
  return (
    <section class="card suppression-note" aria-labelledby="suppression-h">
      <h2 id="suppression-h">Small numbers are hidden</h2>
      {k <= 1 ? <p>Your organisation shows every count as it is (the threshold is 1).</p> : (
        <p>
          Counts from 1 to {k - 1} are shown as <strong class="nowrap">"&lt;{k}"</strong>{" "}
          so that no small group of patients can be picked out. To stop a hidden count being worked
          out by subtracting from a total, some larger counts show as{" "}
          <strong class="nowrap">"≥{k}"</strong>{" "}
          and some breakdowns are left out. The threshold in use is{" "}
          <strong>{k}</strong>. Downloads hide the same numbers.
        </p>
      )}
      {props.settings}
    </section>
  );
}

/**
 * Every section of a report. `ownRun`: a run's own report (it has a comparison, and its
 * patients with an immunization are those of the same run); false for the tenant report.
 */
export function ReportBody(props: { report: Report; ownRun: boolean }) {
  const r = props.report;
  const titles = Object.fromEntries(r.checks.map((c) => [c.id, c.title]));
  const failing = r.checks.filter((c) => c.status === "fail").length;
  const applied = r.checks.filter((c) => c.status !== "not_applicable").length;
  const total = { label: "All records", count: r.records.total };
  return (
    <>
      <section class="card report-section" aria-labelledby="records-h">
        <h2 id="records-h">Records written</h2>
        <Figures
          items={[
            { label: "Records", count: r.records.total },
            { label: "Record types", value: String(r.records.byType.cells.length) },
            {
              label: "Quality checks failed",
              value: applied === 0 ? "—" : `${failing} of ${applied}`,
              help: applied === 0
                ? "no check applies to these records"
                : failing > 0
                ? "see the checks below"
                : "of the checks that applied",
            },
          ]}
        />
        <div class="report-grid">
          <DistributionView
            id="type"
            title="Records by type"
            head="Record type"
            dist={r.records.byType}
            total={total}
            shares
          />
          <DistributionView
            id="source"
            title="Records by source"
            head="Source"
            dist={r.records.bySource}
            total={total}
            shares
          />
        </div>
      </section>
      {r.patients && <PatientsSection patients={r.patients} asOf={r.asOf} />}
      {r.immunizations && (
        <ImmunizationsSection immunizations={r.immunizations} ownRun={props.ownRun} />
      )}
      <ChecksSection checks={r.checks} />
      {props.ownRun && <ComparisonSection comparison={r.comparison} titles={titles} />}
      {r.truncated.length > 0 && (
        <p class="help">
          Some lists had too many different values to show one by one; the rarer ones are counted
          under "Other (rarer values)" in: {r.truncated.map((t) => TRUNCATED[t] ?? t).join(", ")}.
        </p>
      )}
      <p class="help report-meta">
        Report version {r.reportVersion}, made {formatTime(r.generatedAt)}.
      </p>
    </>
  );
}

/** Links to the report's CSV and JSON. */
function Downloads(props: { csv: string; json: string; name: string }) {
  return (
    <>
      <a class="button secondary" href={props.csv} download>Download CSV</a>
      <a class="button secondary" href={props.json} download={`${props.name}.json`}>
        Download JSON
      </a>
    </>
  );
}

/** A run's report page. */
export function RunReportPage(
  props: { principal: Principal; report: Report; finishedAt?: string },
) {
  const r = props.report;
  const api = `/api/v1/runs/${r.run}/report`;
  return (
    <Layout title={`Report of ${r.pipeline}`} principal={props.principal} active="runs">
      <p class="crumbs">
        <a href={`/app/runs/${r.run}`}>Back to the run</a>
      </p>
      <PageHead
        title={`Report of ${r.pipeline}`}
        lead={`Run finished ${formatTime(props.finishedAt)}. Ages are worked out on ${r.asOf}.`}
        actions={<Downloads csv={`${api}.csv`} json={api} name={`report-${r.run}`} />}
      />
      <SuppressionNote threshold={r.suppression.threshold} />
      <ReportBody report={r} ownRun />
    </Layout>
  );
}

/** The page saying why a run has no report. */
export function NoReportPage(props: { principal: Principal; runId: string; reason: string }) {
  return (
    <Layout title="No report for this run" principal={props.principal} active="runs">
      <p class="crumbs">
        <a href={`/app/runs/${props.runId}`}>Back to the run</a>
      </p>
      <PageHead title="No report for this run" />
      <Alert kind="info">{props.reason}</Alert>
    </Layout>
  );
}

/** The tenant's report page (or its empty state when `report` is missing). */
export function TenantReportPage(props: {
  principal: Principal;
  report?: Report;
  runs: IncludedRun[];
  reason?: string;
  notice?: string;
  settings: ComponentChildren;
  threshold: number;
}) {
  const r = props.report;
  return (
    <Layout title="Report" principal={props.principal} active="report">
      <PageHead
        title="Report across your pipelines"
        lead="The latest successful run of each pipeline, added together."
        actions={r && (
          <Downloads
            csv="/api/v1/report?format=csv"
            json="/api/v1/report"
            name={`report-${r.generatedAt.slice(0, 10)}`}
          />
        )}
      />
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      {!r && <Alert kind="info">{props.reason}</Alert>}
      {r && <IncludedRuns runs={props.runs} />}
      <SuppressionNote
        threshold={r?.suppression.threshold ?? props.threshold}
        settings={props.settings}
      />
      {r && <ReportBody report={r} ownRun={false} />}
    </Layout>
  );
}

function IncludedRuns(props: { runs: IncludedRun[] }) {
  return (
    <section class="card" aria-labelledby="runs-h">
      <h2 id="runs-h">
        Made from {props.runs.length === 1 ? "1 run" : `${props.runs.length} runs`}
      </h2>
      <p class="help">
        Counts are added up run by run: a patient written by two pipelines counts twice, and checks
        across records (references, birth dates) look within each run. The comparison with earlier
        runs is on each run's own report.
      </p>
      <div class="table-wrap">
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Run finished</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            {props.runs.map((run) => (
              <tr>
                <td data-label="Pipeline">
                  <a href={`/app/pipelines/${run.pipelineId}`}>{run.pipeline}</a>
                </td>
                <td data-label="Run finished">{formatTime(run.finishedAt)}</td>
                <td data-label="Report">
                  <a href={`/app/runs/${run.run}/report`}>
                    Report of this run<span class="visually-hidden">: {run.pipeline}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
