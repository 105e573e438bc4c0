/**
 * Wizard step 5, "Review": what a run will do in one sentence, the pipeline's name and optional
 * schedule (read back in words), then Save or Save & run. Saving goes through `createPipeline`
 * exactly as `POST /api/v1/pipelines` does (the spec checked, secrets sealed, audit entry); a
 * refused spec lists every problem, each linked to its step. The answer to the save is the only
 * page that ever shows the webhook secret.
 * @module
 */
import { recordAudit } from "../../audit/log.ts";
import { listConnections } from "../../connections/mod.ts";
import { ConfigError, userMessage } from "../../etl/errors.ts";
import { startPipelineRun } from "../../pipelines/start.ts";
import { createPipeline, getPipeline } from "../../pipelines/store.ts";
import { urlFor } from "../../routes/http.ts";
import { describeCron, parseCron } from "../../triggers/cron.ts";
import { field, html } from "../page.ts";
import { type Draft, saveDraft } from "./draft.ts";
import { baseName } from "./repository_form.ts";
import { ReviewPage, SavedPage } from "./review_page.tsx";
import { specOf, summarize } from "./review_summary.ts";
import type { StepContext, WizardStepPage } from "./step.ts";
import { sampleSource } from "./transform_sample.ts";

/** Rows read to count the source for the summary. */
const COUNT_ROWS = 1_000;

/** The schedule in words, or the sentence saying what is wrong with it. */
function readSchedule(text: string): { reading?: string; error?: string } {
  if (!text) return {};
  try {
    return { reading: describeCron(parseCron(text)) };
  } catch (err) {
    return { error: userMessage(err) };
  }
}

async function review(
  ctx: StepContext,
  draft: Draft,
  view: { name?: string; errors?: Record<string, string>; problems?: string[]; error?: string },
  status: 200 | 400 = 200,
) {
  const { c, deps } = ctx;
  const [sample, connections] = await Promise.all([
    sampleSource(deps, draft, COUNT_ROWS),
    listConnections(deps.engine.kv, draft.tenant),
  ]);
  const count = sample.ok ? { rows: sample.rows.length, complete: sample.complete } : undefined;
  const schedule = draft.schedule ?? "";
  const { reading, error } = readSchedule(schedule);
  return html(
    c,
    <ReviewPage
      principal={c.get("principal")}
      draft={draft}
      summary={summarize(draft, count, connections)}
      name={view.name ?? (draft.spec.name || baseName(draft))}
      schedule={schedule}
      reading={reading}
      errors={{ ...(error ? { schedule: error } : {}), ...view.errors }}
      problems={view.problems ?? []}
      error={view.error}
    />,
    status,
  );
}

/** The page of a draft saved earlier (reloaded, or saved twice): no secret any more. */
async function alreadySaved(ctx: StepContext, id: string) {
  const p = await getPipeline(ctx.deps.engine.kv, ctx.draft.tenant, id);
  return html(
    ctx.c,
    <SavedPage
      principal={ctx.c.get("principal")}
      name={p?.name ?? ctx.draft.spec.name}
      pipelineId={id}
    />,
  );
}

/** The review step. */
export const reviewStep: WizardStepPage = {
  show(ctx) {
    if (ctx.draft.pipelineId) return alreadySaved(ctx, ctx.draft.pipelineId);
    return review(ctx, ctx.draft, {});
  },

  async submit(ctx, form) {
    const { c, deps } = ctx;
    const e = deps.engine;
    if (ctx.draft.pipelineId) return alreadySaved(ctx, ctx.draft.pipelineId);
    const principal = c.get("principal");
    const action = field(form, "action");
    const name = field(form, "name");
    const schedule = field(form, "schedule");
    const draft = await saveDraft(e.kv, e.secrets, {
      ...ctx.draft,
      spec: { ...ctx.draft.spec, name },
      schedule: schedule || undefined,
    });
    const errors: Record<string, string> = {};
    if (!name) errors.name = "Give the pipeline a name, such as “Synthea patients”.";
    if (name.length > 120) errors.name = "Keep the name to 120 characters or fewer.";
    const { error: scheduleError } = readSchedule(schedule);
    if (scheduleError) errors.schedule = scheduleError;
    if (action === "schedule") return review(ctx, draft, { name, errors });
    if (Object.keys(errors).length > 0) {
      return review(ctx, draft, { name, errors, error: "Check the name and schedule below." }, 400);
    }

    let pipeline;
    try {
      pipeline = await createPipeline(e.kv, draft.tenant, specOf(draft, name), e.now?.(), {
        schedule: schedule || undefined,
        secrets: e.secrets,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const problems = err.problems.length > 0 ? err.problems : [userMessage(err)];
      return review(ctx, draft, { name, problems }, 400);
    }
    await recordAudit(e.kv, draft.tenant, {
      actor: principal.label,
      action: "pipeline.created",
      target: pipeline.id,
      detail: { name: pipeline.name },
    });
    await saveDraft(e.kv, e.secrets, { ...draft, pipelineId: pipeline.id });

    let runId: string | undefined;
    let runError: string | undefined;
    if (action === "run") {
      try {
        const run = await startPipelineRun(e, draft.tenant, pipeline.spec, {
          pipelineId: pipeline.id,
          trigger: "api",
          by: principal.label,
        });
        runId = run.id;
      } catch (err) {
        runError = userMessage(err);
      }
    }
    return html(
      c,
      <SavedPage
        principal={principal}
        name={pipeline.name}
        pipelineId={pipeline.id}
        webhook={{
          url: urlFor(c, deps.publicUrl, `/hooks/${pipeline.id}`),
          secret: pipeline.webhookSecret,
        }}
        schedule={pipeline.schedule ? describeCron(parseCron(pipeline.schedule)) : undefined}
        runId={runId}
        runError={runError}
      />,
    );
  },
};
