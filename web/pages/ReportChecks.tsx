/**
 * The data-quality checks of the report page (pass / fail / not applicable, rows failed out
 * of rows checked, and where to find failing rows in the source) and the comparison with the
 * pipeline's previous successful run.
 * @module
 */
import type { CheckResult, CheckStatus, Comparison, Count } from "../../analytics/report.ts";
import { countText } from "../../components/charts.tsx";
import { N } from "./ReportParts.tsx";

const STATUS_WORDS: Record<CheckStatus, string> = {
  pass: "Pass",
  fail: "Fail",
  not_applicable: "Not applicable",
};

/** A check's outcome as a badge with its word (never colour alone). */
export function CheckBadge(props: { status: CheckStatus }) {
  return <span class={`badge badge-check-${props.status}`}>{STATUS_WORDS[props.status]}</span>;
}

const RECORD_TYPE: Record<string, string> = { Patient: "Patients", Immunization: "Immunizations" };

/** The checks that applied as a table (failing ones list the source rows), then the others. */
export function ChecksSection(props: { checks: CheckResult<Count>[] }) {
  const applied = props.checks.filter((c) => c.status !== "not_applicable");
  const skipped = props.checks.filter((c) => c.status === "not_applicable");
  const failing = applied.filter((c) => c.status === "fail").length;
  return (
    <section class="card report-section" aria-labelledby="checks-h">
      <h2 id="checks-h">Data-quality checks</h2>
      <p class="help">
        {applied.length === 0
          ? "No check applied to the records of this report."
          : failing === 0
          ? `All ${applied.length} checks that applied passed.`
          : `${failing} of ${applied.length} checks that applied found rows to look at.`}{" "}
        {failing > 0 &&
          "Under each failing check, the first rows concerned are listed with their place in the source (file and line, or key): fix them there and run the pipeline again."}
      </p>
      {applied.length > 0 && (
        <div class="table-wrap">
          <table class="report-table checks" data-dimension="checks">
            <caption class="visually-hidden">Data-quality checks</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Records</th>
                <th scope="col">Result</th>
                <th scope="col" class="num">Rows failed</th>
                <th scope="col" class="num">Rows checked</th>
              </tr>
            </thead>
            <tbody>
              {applied.map((c) => <CheckRow key={c.id} check={c} />)}
            </tbody>
          </table>
        </div>
      )}
      {skipped.length > 0 && (
        <details class="numbers not-applicable">
          <summary>
            {skipped.length} {skipped.length === 1 ? "check" : "checks"} did not apply
          </summary>
          <p class="help">
            A check does not apply when the records it looks at are not in the report, e.g.
            immunization checks in a report of patients only.
          </p>
          <ul class="plain-list">
            {skipped.map((c) => (
              <li data-check={c.id}>
                {c.title} <span class="help-inline">({RECORD_TYPE[c.resourceType]})</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function CheckRow(props: { check: CheckResult<Count> }) {
  const c = props.check;
  return (
    <tr data-check={c.id}>
      <th scope="row">
        {c.title}
        {c.status === "fail" && c.examples.length > 0 && (
          <div class="check-examples">
            <span class="help">Where to look:</span>
            <ul class="plain-list">
              {c.examples.map((e, i) => <li key={i} class="mono">{e}</li>)}
            </ul>
          </div>
        )}
      </th>
      <td class="check-type">{RECORD_TYPE[c.resourceType] ?? c.resourceType}</td>
      <td>
        <CheckBadge status={c.status} />
      </td>
      <td class="num count" data-label="Rows failed">{countText(c.numerator)}</td>
      <td class="num count" data-label="Rows checked">{countText(c.denominator)}</td>
    </tr>
  );
}

const CHANGE: { key: "new" | "changed" | "unchanged" | "removed"; label: string; help: string }[] =
  [
    { key: "new", label: "New", help: "not in the previous run" },
    { key: "changed", label: "Changed", help: "same id, different content" },
    { key: "unchanged", label: "Unchanged", help: "same id and content" },
    { key: "removed", label: "Removed", help: "in the previous run, not in this one" },
  ];

/** The comparison with the previous successful run of the same pipeline. */
export function ComparisonSection(
  props: { comparison: Comparison<Count> | null; titles: Record<string, string> },
) {
  const cmp = props.comparison;
  return (
    <section class="card report-section" aria-labelledby="comparison-h">
      <h2 id="comparison-h">Compared with the previous run</h2>
      {!cmp || !cmp.records
        ? (
          <p>
            This is the pipeline's first successful run with a report, so there is nothing to
            compare it with yet.
          </p>
        )
        : (
          <>
            <p class="help">
              Records are matched by their id with those of{" "}
              <a href={`/app/runs/${cmp.previousRun}/report`}>the previous successful run</a>.
            </p>
            <div class="table-wrap">
              <table class="report-table" data-dimension="comparison">
                <caption class="visually-hidden">Records compared with the previous run</caption>
                <thead>
                  <tr>
                    <th scope="col">Records</th>
                    <th scope="col" class="num">Count</th>
                  </tr>
                </thead>
                <tbody>
                  {CHANGE.map((ch) => (
                    <tr>
                      <th scope="row">
                        {ch.label} <span class="help-inline">{ch.help}</span>
                      </th>
                      <td class="num count">{countText(cmp.records![ch.key])}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">In this run</th>
                    <td class="num count">{countText(cmp.records.current)}</td>
                  </tr>
                  <tr>
                    <th scope="row">In the previous run</th>
                    <td class="num count">{countText(cmp.records.previous)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </>
        )}
      {cmp && cmp.untracked !== 0 && (
        <p class="help">
          <N count={cmp.untracked} /> records have no id and could not be compared.
        </p>
      )}
      {cmp && (
        <>
          <h3>Checks that changed</h3>
          {cmp.checks.length === 0
            ? <p>No check changed its result.</p>
            : (
              <ul class="plain-list changed-checks">
                {cmp.checks.map((c) => (
                  <li>
                    {props.titles[c.id] ?? c.id}: <CheckBadge status={c.previous} /> →{" "}
                    <CheckBadge status={c.current} />
                  </li>
                ))}
              </ul>
            )}
        </>
      )}
    </section>
  );
}
