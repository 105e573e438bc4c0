/**
 * Runs pages under `/app/runs`: every run (newest first, paged), one run (web/pages/RunPage.tsx)
 * with its rejected rows as CSV, and Cancel / Run again for editors. The checks and calls are
 * the JSON API's (routes/api_runs.ts): same functions, same audit entries, same sentences.
 * @module
 */
import { type Context, Hono } from "hono";
import { recordAudit } from "../audit/log.ts";
import { Layout } from "../components/Layout.tsx";
import { PageHead } from "../components/ui.tsx";
import { runNotifications } from "../pipelines/notifier.ts";
import { rerun } from "../pipelines/rerun.ts";
import { runOrigins } from "../pipelines/start.ts";
import type { AppDeps } from "../routes/deps.ts";
import { RunId } from "../routes/http.ts";
import { roleAtLeast } from "../routes/roles.ts";
import { runView } from "../routes/views.ts";
import { cancelRun } from "../runs/cancel.ts";
import { getRun } from "../runs/engine.ts";
import { runKeys, type RunRecord, type StoredPlan } from "../runs/run_record.ts";
import { html, type PageEnv, pageRole } from "./page.ts";
import { doneNotice, missingPage, pageNumber } from "./page_kit.tsx";
import { RunTable } from "./pages/HomePage.tsx";
import { RunPage } from "./pages/RunPage.tsx";
import { rejectedCsv, rejectedPage } from "./rejected_rows.ts";
import { refusedPage } from "./refused.tsx";
import { reportPage } from "./report_page.tsx";

/** Runs per page of the list. */
const LIST_SIZE = 25;

const NOTICES = {
  cancelled: "The run was cancelled. Nothing it had prepared was saved.",
  started: "The run was started.",
};

/** The `/app/runs` routes. */
export function runsPages(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>();
  const kv = deps.engine.kv;
  type C = Context<PageEnv>;

  /** The tenant's run `:id`, or undefined (bad or unknown id, another tenant's run). */
  const runOf = async (c: C): Promise<RunRecord | undefined> => {
    const id = c.req.param("id") ?? "";
    if (!RunId.safeParse(id).success) return undefined;
    return await getRun(kv, c.get("tenant"), id);
  };
  const missing = (c: C) => missingPage(c, `There is no run with id "${c.req.param("id")}".`);

  const showRun = async (
    c: C,
    run: RunRecord,
    extra: { error?: string; status?: 409 } = {},
  ) => {
    const tenant = c.get("tenant");
    const principal = c.get("principal");
    const [[origin], [notification], stored, rejected] = await Promise.all([
      runOrigins(kv, tenant, [run.id]),
      runNotifications(kv, tenant, [run.id]),
      kv.get<StoredPlan>(runKeys.prepared(tenant, run.id)),
      rejectedPage(kv, tenant, run.id, pageNumber(c.req.query("page"))),
    ]);
    const spec = stored.value?.spec as { repository?: { type?: string } } | undefined;
    const view = runView(run, origin, (p) => p, notification);
    return html(
      c,
      <RunPage
        principal={principal}
        live={{
          run: view,
          canEdit: roleAtLeast(principal.role, "editor"),
          csrf: principal.csrf ?? "",
          downloadable: spec?.repository?.type === "file",
          now: Date.now(),
        }}
        rejected={rejected}
        notice={extra.error ? undefined : doneNotice(c, NOTICES)}
        error={extra.error}
      />,
      extra.status,
    );
  };

  pages.get("/", async (c) => {
    const tenant = c.get("tenant");
    const cursor = c.req.query("cursor") || undefined;
    const iter = kv.list<RunRecord>({ prefix: runKeys.runs(tenant) }, {
      reverse: true,
      limit: LIST_SIZE,
      cursor,
    });
    const runs: RunRecord[] = [];
    let error: string | undefined;
    try {
      for await (const e of iter) runs.push(e.value);
    } catch {
      error = "That page link is no longer valid; here are the newest runs instead.";
      for await (
        const e of kv.list<RunRecord>({ prefix: runKeys.runs(tenant) }, {
          reverse: true,
          limit: LIST_SIZE,
        })
      ) runs.push(e.value);
    }
    const next = runs.length === LIST_SIZE && iter.cursor ? iter.cursor : undefined;
    return html(
      c,
      <Layout title="Runs" principal={c.get("principal")} active="runs">
        <PageHead title="Runs" lead="Every run of your pipelines, newest first." />
        {error && <p class="alert alert-error" role="alert">{error}</p>}
        <RunTable runs={runs} />
        <nav class="pager" aria-label="Pages of runs">
          {cursor && <a href="/app/runs">Newest runs</a>}
          {next && (
            <a href={`/app/runs?cursor=${encodeURIComponent(next)}`} rel="next">Older runs</a>
          )}
        </nav>
      </Layout>,
    );
  });

  pages.get("/:id", async (c) => {
    const run = await runOf(c);
    return run ? await showRun(c, run) : missing(c);
  });

  pages.get("/:id/rejected.csv", async (c) => {
    const run = await runOf(c);
    if (!run) return missing(c);
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="rejected-rows-${run.id}.csv"`);
    c.header("Cache-Control", "private, no-store");
    return c.body(rejectedCsv(kv, c.get("tenant"), run.id));
  });

  pages.get("/:id/report", reportPage(deps));

  const editor = pageRole("editor", refusedPage);

  pages.post("/:id/cancel", editor, async (c) => {
    const run = await runOf(c);
    if (!run) return missing(c);
    const tenant = c.get("tenant");
    const result = await cancelRun(deps.engine, tenant, run.id);
    if (result.outcome === "missing") return missing(c);
    if (result.outcome === "ended") {
      return await showRun(c, result.run, {
        error:
          `The run already ended (${result.run.status}); only queued or running runs can be cancelled.`,
        status: 409,
      });
    }
    await recordAudit(kv, tenant, {
      actor: c.get("principal").label,
      action: "run.cancelled",
      target: run.id,
    });
    return c.redirect(`/app/runs/${run.id}?done=cancelled`, 303);
  });

  pages.post("/:id/rerun", editor, async (c) => {
    const run = await runOf(c);
    if (!run) return missing(c);
    const result = await rerun(deps.engine, c.get("tenant"), run, c.get("principal").label);
    if (result.outcome === "not-ended") {
      return await showRun(c, run, {
        error: `The run is still ${run.status}; run it again once it has ended.`,
        status: 409,
      });
    }
    if (result.outcome === "no-spec") {
      return await showRun(c, run, {
        error: "This run's settings are no longer stored; start the pipeline again instead.",
        status: 409,
      });
    }
    return c.redirect(`/app/runs/${result.run.id}?done=started`, 303);
  });

  return pages;
}
