/**
 * Pages of a saved pipeline, mounted at `/app`: `GET /pipelines/:id` (web/pages/PipelinePage.tsx),
 * Run now and changing or removing the schedule (editors). The id must be 32 hex digits, so
 * `/app/pipelines/new` (the wizard) is never taken. Same checks and calls as the JSON API
 * (routes/api.ts): startPipelineRun with who started it, updatePipeline, the same audit entries.
 * @module
 */
import { type Context, Hono } from "hono";
import { recordAudit } from "../audit/log.ts";
import { ConfigError } from "../etl/errors.ts";
import { maskSpec } from "../pipelines/mask.ts";
import { runOrigins, startPipelineRun } from "../pipelines/start.ts";
import { getPipeline, type PipelineRecord, updatePipeline } from "../pipelines/store.ts";
import type { AppDeps } from "../routes/deps.ts";
import { urlFor } from "../routes/http.ts";
import { scheduleView } from "../routes/views.ts";
import { runKeys, type RunRecord } from "../runs/run_record.ts";
import { field, html, type PageEnv, pageRole } from "./page.ts";
import { doneNotice, missingPage } from "./page_kit.tsx";
import { PipelinePage } from "./pages/PipelinePage.tsx";
import { refusedPage } from "./refused.tsx";
import { specSummary } from "./spec_summary.ts";

/** How many of the tenant's newest runs are searched for this pipeline's runs. */
const RUNS_SCANNED = 500;
/** How many of its runs the page lists. */
const RUNS_SHOWN = 20;

const NOTICES = {
  "schedule-saved": "The schedule was saved. It starts runs from now on.",
  "schedule-removed": "The schedule was removed. Runs now start only by hand or by webhook.",
};

/** The routes, mounted at `/app`. */
export function pipelinePages(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>();
  const kv = deps.engine.kv;
  type C = Context<PageEnv>;
  const path = "/pipelines/:id{[0-9a-f]{32}}";
  const editor = pageRole("editor", refusedPage);

  const pipelineOf = (c: C) => getPipeline(kv, c.get("tenant"), c.req.param("id")!);
  const missing = (c: C) => missingPage(c, `There is no pipeline with id "${c.req.param("id")}".`);

  /** This pipeline's newest runs, found through the runs' origins. */
  const runsOf = async (tenant: string, id: string): Promise<RunRecord[]> => {
    const recent: RunRecord[] = [];
    const iter = kv.list<RunRecord>({ prefix: runKeys.runs(tenant) }, {
      reverse: true,
      limit: RUNS_SCANNED,
    });
    for await (const e of iter) recent.push(e.value);
    const origins = await runOrigins(kv, tenant, recent.map((r) => r.id));
    return recent.filter((_, i) => origins[i]?.pipelineId === id).slice(0, RUNS_SHOWN);
  };

  const show = async (
    c: C,
    p: PipelineRecord,
    extra: { scheduleInput?: string; scheduleError?: string } = {},
  ) => {
    const runs = await runsOf(c.get("tenant"), p.id);
    return html(
      c,
      <PipelinePage
        principal={c.get("principal")}
        pipeline={{ id: p.id, name: p.name, createdAt: p.createdAt, notifyUrl: p.notify?.url }}
        parts={specSummary(p.spec)}
        specJson={JSON.stringify(maskSpec(p.spec), null, 2)}
        webhookUrl={urlFor(c, deps.publicUrl, `/hooks/${p.id}`)}
        schedule={scheduleView(p)}
        runs={runs}
        notice={extra.scheduleError ? undefined : doneNotice(c, NOTICES)}
        {...extra}
      />,
      extra.scheduleError ? 400 : 200,
    );
  };

  pages.get(path, async (c) => {
    const p = await pipelineOf(c);
    return p ? await show(c, p) : missing(c);
  });

  pages.post(`${path}/run`, editor, async (c) => {
    const p = await pipelineOf(c);
    if (!p) return missing(c);
    const run = await startPipelineRun(deps.engine, c.get("tenant"), p.spec, {
      pipelineId: p.id,
      trigger: "api",
      by: c.get("principal").label,
    });
    return c.redirect(`/app/runs/${run.id}?done=started`, 303);
  });

  pages.post(`${path}/schedule`, editor, async (c) => {
    const tenant = c.get("tenant");
    const p = await pipelineOf(c);
    if (!p) return missing(c);
    const form = await c.req.parseBody();
    const remove = field(form, "remove") !== "";
    const typed = field(form, "schedule").replace(/\s+/g, " ");
    if (!remove && typed === "") {
      return await show(c, p, {
        scheduleInput: typed,
        scheduleError: 'Type a schedule, e.g. "30 2 * * *" for every day at 02:30 UTC.',
      });
    }
    const schedule = remove ? null : typed;
    let updated;
    try {
      updated = await updatePipeline(kv, tenant, p.id, { schedule }, deps.engine.now?.());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return await show(c, p, { scheduleInput: typed, scheduleError: error.message });
    }
    if (!updated) return missing(c);
    await recordAudit(kv, tenant, {
      actor: c.get("principal").label,
      action: "pipeline.updated",
      target: p.id,
      detail: { name: p.name, schedule },
    });
    const done = remove ? "schedule-removed" : "schedule-saved";
    return c.redirect(`/app/pipelines/${p.id}?done=${done}`, 303);
  });

  return pages;
}
