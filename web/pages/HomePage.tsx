/**
 * The tenant's home: its pipelines with their last run, and the most recent runs.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { PageHead, StatusBadge } from "../../components/ui.tsx";
import type { Principal } from "../../routes/deps.ts";
import type { RunRecord } from "../../runs/run_record.ts";

/** A pipeline row of the home page. */
export interface PipelineRow {
  id: string;
  name: string;
  schedule?: string;
  lastRun?: RunRecord;
}

/** A short "3 min ago" style time. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toISOString().slice(0, 10);
}

/** The home page. */
export function HomePage(
  props: { principal: Principal; pipelines: PipelineRow[]; runs: RunRecord[]; tenantName: string },
) {
  const canEdit = props.principal.role !== "viewer";
  return (
    <Layout title="Pipelines" principal={props.principal} active="pipelines">
      <PageHead
        title={props.tenantName}
        lead="Your pipelines and what they last did."
        actions={canEdit && <a class="button" href="/app/pipelines/new">New pipeline</a>}
      />
      <h2>Pipelines</h2>
      {props.pipelines.length === 0
        ? (
          <div class="card">
            <p>No pipelines yet.</p>
            {canEdit && (
              <p>
                <a href="/app/pipelines/new">Create your first pipeline</a>{" "}
                from a spreadsheet or a database in five steps.
              </p>
            )}
          </div>
        )
        : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Pipeline</th>
                  <th scope="col">Last run</th>
                  <th scope="col" class="num">Rows written</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {props.pipelines.map((p) => (
                  <tr>
                    <td>
                      <a href={`/app/pipelines/${p.id}`}>{p.name}</a>
                      {p.schedule && <div class="help">Scheduled: {p.schedule}</div>}
                    </td>
                    <td>
                      {p.lastRun
                        ? (
                          <a href={`/app/runs/${p.lastRun.id}`}>
                            <StatusBadge status={p.lastRun.status} />
                          </a>
                        )
                        : "never run"}
                    </td>
                    <td class="num">{p.lastRun?.counts.written.toLocaleString("en-US") ?? "—"}</td>
                    <td>{ago(p.lastRun?.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      <h2>Recent runs</h2>
      <RunTable runs={props.runs} />
    </Layout>
  );
}

/** A table of runs, newest first. */
export function RunTable(props: { runs: RunRecord[] }) {
  if (props.runs.length === 0) return <p class="card">No runs yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Pipeline</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Read</th>
            <th scope="col" class="num">Written</th>
            <th scope="col" class="num">Rejected</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((r) => (
            <tr>
              <td>
                <a href={`/app/runs/${r.id}`} class="mono">{r.id.slice(0, 8)}</a>
              </td>
              <td>{r.pipeline}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td class="num">{r.counts.read.toLocaleString("en-US")}</td>
              <td class="num">{r.counts.written.toLocaleString("en-US")}</td>
              <td class="num">{r.counts.rejected.toLocaleString("en-US")}</td>
              <td>{ago(r.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
