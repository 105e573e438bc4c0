/**
 * The owners' audit log page: who did what, when, to what, with the details, newest first.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { PageHead } from "../../components/ui.tsx";
import { formatBytes, formatTime } from "../../components/run_text.ts";
import type { AuditAction, AuditEntry } from "../../audit/log.ts";
import type { Principal } from "../../routes/deps.ts";
import { labelOf, valueText } from "../spec_summary.ts";

/** Each action in words. */
export const ACTION_TEXT: Record<AuditAction, string> = {
  "signin.succeeded": "Signed in",
  "signin.failed": "Failed to sign in",
  signout: "Signed out",
  signup: "Created the organisation",
  "member.invited": "Invited a member",
  "member.joined": "Joined",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "token.created": "Created an API token",
  "token.revoked": "Revoked an API token",
  "connection.created": "Saved a connection",
  "connection.updated": "Changed a connection",
  "connection.deleted": "Deleted a connection",
  "connection.tested": "Tested a connection",
  "pipeline.created": "Created a pipeline",
  "pipeline.updated": "Changed a pipeline",
  "run.started": "Started a run",
  "run.cancelled": "Cancelled a run",
  download: "Downloaded a run's output",
  "settings.changed": "Changed the report settings",
};

/** Targets that are the actor themself: the "Who" column already says it. */
const SELF = new Set(["signin.succeeded", "signin.failed", "signout", "signup", "member.joined"]);

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

/** What the entry is about, named when the details name it; and the detail keys that used. */
export function targetOf(e: AuditEntry): { text: string; href?: string; used: string[] } {
  const d = e.detail ?? {};
  const t = e.target;
  const named = (key: string) => (typeof d[key] === "string" ? String(d[key]) : undefined);
  if (!t || SELF.has(e.action)) return { text: "—", used: [] };
  if (e.action.startsWith("run.") || e.action === "download") {
    return { text: `run ${short(t)}`, href: `/app/runs/${t}`, used: [] };
  }
  if (e.action.startsWith("pipeline.")) {
    const name = named("name");
    return { text: name ?? `pipeline ${short(t)}`, href: `/app/pipelines/${t}`, used: ["name"] };
  }
  if (e.action.startsWith("token.")) {
    const name = named("name");
    return { text: name ? `token "${name}"` : `token ${short(t)}`, used: ["name"] };
  }
  if (e.action.startsWith("connection.")) {
    return { text: named("name") ?? `connection ${short(t)}`, used: ["name"] };
  }
  if (e.action.startsWith("member.")) return { text: named("email") ?? short(t), used: ["email"] };
  return { text: short(t), used: [] };
}

const HOW: Record<string, string> = {
  api: "by hand",
  webhook: "webhook",
  schedule: "schedule",
  rerun: "re-run",
};

/** One detail as label and words: times, sizes, pipelines and triggers read as such. */
export function detailText(
  key: string,
  value: string | number | boolean | null,
): { label: string; text: string; href?: string } {
  if (value === null) return { label: labelOf(key), text: "none" };
  if (key === "pipeline" && typeof value === "string") {
    return { label: "Pipeline", text: `pipeline ${short(value)}`, href: `/app/pipelines/${value}` };
  }
  if (key === "rerunOf" && typeof value === "string") {
    return { label: "Repeats", text: `run ${short(value)}`, href: `/app/runs/${value}` };
  }
  if (key === "trigger") return { label: "How", text: HOW[String(value)] ?? String(value) };
  if (key === "bytes" && typeof value === "number") {
    return { label: "Size", text: formatBytes(value) };
  }
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) {
    return { label: labelOf(key), text: formatTime(value) };
  }
  return { label: labelOf(key), text: valueText(value) };
}

function Target(props: { entry: AuditEntry }) {
  const t = targetOf(props.entry);
  return t.href ? <a href={t.href}>{t.text}</a> : <>{t.text}</>;
}

function Details(props: { entry: AuditEntry }) {
  const e = props.entry;
  const used = new Set(targetOf(e).used);
  const rows = Object.entries(e.detail ?? {}).filter(([k]) => !used.has(k))
    .map(([k, v]) => detailText(k, v));
  if (e.ip) rows.push({ label: "From address", text: e.ip });
  if (rows.length === 0) return <>—</>;
  return (
    <>
      {rows.map((r, i) => (
        <div class="detail" key={i}>
          <span class="detail-key">{r.label}:</span>{" "}
          {r.href ? <a href={r.href}>{r.text}</a> : r.text}
        </div>
      ))}
    </>
  );
}

/** The audit log page; `next` is the cursor of the following (older) page. */
export function AuditPage(
  props: { principal: Principal; entries: AuditEntry[]; next?: string; first: boolean },
) {
  return (
    <Layout title="Audit log" principal={props.principal} active="audit">
      <PageHead
        title="Audit log"
        lead="Everything done in your organisation: sign-ins, changes, runs and downloads. Newest first; entries are never changed or deleted."
      />
      {props.entries.length === 0
        ? <p class="card">Nothing recorded yet.</p>
        : (
          <div class="table-wrap">
            <table class="audit stack">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">On</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {props.entries.map((e) => (
                  <tr>
                    <td class="nowrap" data-label="When">{formatTime(e.at)}</td>
                    <td class="break-word" data-label="Who">{e.actor}</td>
                    <td data-label="What">{ACTION_TEXT[e.action] ?? e.action}</td>
                    <td data-label="On">
                      <Target entry={e} />
                    </td>
                    <td data-label="Details">
                      <Details entry={e} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      <nav class="pager" aria-label="Pages of the audit log">
        {!props.first && <a href="/app/audit">Newest entries</a>}
        {props.next && (
          <a href={`/app/audit?cursor=${encodeURIComponent(props.next)}`} rel="next">
            Older entries
          </a>
        )}
      </nav>
    </Layout>
  );
}
