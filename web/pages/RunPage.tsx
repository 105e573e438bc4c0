/**
 * The run page: the live part (components/RunLive.tsx, kept current by the `run_status` island),
 * who started the run and when, the rows that could not be used (paged, downloadable as CSV)
 * and the manifest. Works without JavaScript: the first paint has everything, and a Refresh
 * link stands in for live updates.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { Alert, PageHead } from "../../components/ui.tsx";
import { RunLive, type RunLiveProps } from "../../components/RunLive.tsx";
import {
  formatBytes,
  formatTime,
  hasEnded,
  num,
  REJECTED_AT,
  startedByText,
} from "../../components/run_text.ts";
import type { Principal } from "../../routes/deps.ts";
import { type RejectedPage, sourceText } from "../rejected_rows.ts";
import { scriptJson } from "../page_kit.tsx";

/** What the run page shows. */
export interface RunPageProps {
  principal: Principal;
  live: RunLiveProps;
  rejected: RejectedPage;
  notice?: string;
  error?: string;
}

/** The run page. */
export function RunPage(props: RunPageProps) {
  const { run } = props.live;
  const base = `/app/runs/${run.id}`;
  return (
    <Layout
      title={`Run of ${run.pipeline.name}`}
      principal={props.principal}
      active="runs"
      islands={hasEnded(run.status) ? [] : ["run_status"]}
    >
      <PageHead
        title={`Run of ${run.pipeline.name}`}
        lead={
          <>
            Started by {startedByText(run)} on {formatTime(run.createdAt)}
          </>
        }
        actions={<a class="button secondary" href={`${base}/report`}>Report</a>}
      />
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {!hasEnded(run.status) && (
        <noscript>
          <p class="alert alert-info">
            This page does not update by itself without JavaScript. <a href={base}>Refresh</a>{" "}
            to see the latest status.
          </p>
        </noscript>
      )}
      <div data-island="run-status">
        <RunLive {...props.live} />
      </div>
      {!hasEnded(run.status) && (
        <script
          type="application/json"
          id="run-status-data"
          // Not executed (JSON type), so the CSP allows it; `<` is escaped inside.
          dangerouslySetInnerHTML={{ __html: scriptJson(props.live) }}
        />
      )}
      {(run.counts.rejected > 0 || run.rejectedKept > 0) && (
        <RejectedRows
          runId={run.id}
          page={props.rejected}
          total={run.counts.rejected}
          kept={run.rejectedKept}
        />
      )}
      {run.manifest && <ManifestView manifest={run.manifest} />}
    </Layout>
  );
}

function RejectedRows(
  props: { runId: string; page: RejectedPage; total: number; kept: number },
) {
  const { page } = props;
  const base = `/app/runs/${props.runId}`;
  return (
    <section class="card" id="rejected" aria-labelledby="rejected-title">
      <div class="section-head">
        <h2 id="rejected-title">Rows that could not be used</h2>
        <a class="button secondary" href={`${base}/rejected.csv`} download>
          Download as CSV
        </a>
      </div>
      <p class="help">
        Each row below was left out of the output. Fix it in the source (the file and line, or the
        key, say where) and run the pipeline again.
        {props.kept < props.total &&
          ` Only the first ${num(props.kept)} of ${num(props.total)} are kept with their reason.`}
      </p>
      {page.rows.length === 0 ? <p>No rejected rows on this page.</p> : (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Where in the source</th>
                <th scope="col">Stage</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr>
                  <td class="mono" data-label="Where in the source">{sourceText(r.ref)}</td>
                  <td data-label="Stage">{REJECTED_AT[r.stage] ?? r.stage}</td>
                  <td data-label="Reason">{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(page.page > 1 || page.hasNext) && (
        <nav class="pager" aria-label="Pages of rejected rows">
          {page.page > 1 && (
            <a href={`${base}?page=${page.page - 1}#rejected`} rel="prev">Previous rows</a>
          )}
          <span>Page {page.page}</span>
          {page.hasNext && (
            <a href={`${base}?page=${page.page + 1}#rejected`} rel="next">More rows</a>
          )}
        </nav>
      )}
    </section>
  );
}

function ManifestView(props: { manifest: NonNullable<RunLiveProps["run"]["manifest"]> }) {
  const m = props.manifest;
  return (
    <section class="card" aria-labelledby="manifest-title">
      <h2 id="manifest-title">Manifest</h2>
      <p class="help">
        A record of exactly what went in and what came out, so the output can be checked later.
      </p>
      <dl class="facts facts-stack">
        <dt>Pipeline</dt>
        <dd>{m.pipeline.name}</dd>
        <dt>Pipeline fingerprint</dt>
        <dd class="mono">{m.pipeline.hash}</dd>
        <dt>Engine version</dt>
        <dd>{m.engineVersion}</dd>
        {m.inputs.map((input, i) => (
          <>
            <dt>{m.inputs.length > 1 ? `Input ${i + 1}` : "Input"}</dt>
            <dd>
              <span class="mono">{input.path}</span> ({formatBytes(input.size)})
              <br />
              <span class="mono hash">sha256:{input.sha256}</span>
            </dd>
          </>
        ))}
        <dt>Output</dt>
        <dd>
          <span class="mono">{m.output.location}</span> ({num(m.output.records)} records,{" "}
          {formatBytes(m.output.bytes)}
          {m.output.format ? `, ${m.output.format}` : ""}, {m.output.repository})
        </dd>
        {m.output.checksum && (
          <>
            <dt>Output checksum</dt>
            <dd class="mono">{m.output.checksum}</dd>
          </>
        )}
      </dl>
      <details class="raw">
        <summary>Show the manifest as JSON</summary>
        <pre>{JSON.stringify(m, null, 2)}</pre>
      </details>
    </section>
  );
}
