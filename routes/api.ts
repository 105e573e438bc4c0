/**
 * The JSON API under `/api/v1`: bearer-token authentication naming a tenant, then pipelines
 * (create, list, get, change, start a run) here and runs in `api_runs.ts`. Every lookup goes
 * through the request's tenant, so another tenant's object is a 404.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../audit/log.ts";
import { startPipelineRun } from "../pipelines/start.ts";
import {
  createPipeline,
  getPipeline,
  listPipelines,
  notifyUrlProblem,
  updatePipeline,
} from "../pipelines/store.ts";
import { principalMiddleware } from "./principal.ts";
import { requireRole } from "./roles.ts";
import { runRoutes } from "./api_runs.ts";
import { auditRoutes } from "./api_audit.ts";
import { reportRoutes } from "./api_reports.ts";
import { connectionRoutes } from "./api_connections.ts";
import { memberRoutes } from "./api_members.ts";
import type { ApiEnv, AppDeps } from "./deps.ts";
import { ApiError, checked, jsonBody, PipelineId, urlFor } from "./http.ts";
import { pipelineDetail, pipelineSummary, scheduleView } from "./views.ts";

const Schedule = z.string().min(1).max(100)
  .describe('A 5-field cron expression in UTC that starts runs, e.g. "30 2 * * *"');

/** Where run notifications go: an http(s) URL. */
export const NotifySettings = z.object({
  url: z.string().min(1).superRefine((url, ctx) => {
    const problem = notifyUrlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }).describe("Receives a signed JSON POST when a run succeeds, fails or is cancelled"),
}).strict();

/** Body of `POST /pipelines`. */
export const CreatePipelineBody = z.object({
  spec: z.record(z.string(), z.unknown()).describe("The pipeline spec (version 1)"),
  schedule: Schedule.optional(),
  notify: NotifySettings.optional()
    .describe("Run notifications; the answer shows their signing secret, once"),
});

/** Body of `PATCH /pipelines/:id`: a missing field keeps its setting, null removes it. */
export const UpdatePipelineBody = z.object({
  schedule: Schedule.nullable().optional().describe(
    "A new 5-field cron expression in UTC (it fires from now on, never for earlier minutes), or null to stop scheduled runs",
  ),
  notify: NotifySettings.nullable().optional().describe(
    "A new notification URL (the signing secret stays), or null to stop notifications and drop their secret",
  ),
}).strict();

/** Body of `POST /pipelines/:id/runs` (may be empty). */
export const StartRunBody = z.object({
  since: z.string().min(1).max(200).optional()
    .describe("Read only rows whose cursor column is greater than this value"),
});

/** The `/api/v1` routes. */
export function apiRoutes(deps: AppDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  const kv = deps.engine.kv;

  api.use("*", principalMiddleware(deps));

  const hookUrl = (c: Parameters<typeof urlFor>[0], id: string) =>
    urlFor(c, deps.publicUrl, `/hooks/${id}`);
  const pipelineOf = async (tenant: string, raw: string) => {
    const id = checked(PipelineId, raw, "The pipeline id");
    const pipeline = await getPipeline(kv, tenant, id);
    if (!pipeline) throw new ApiError(404, `There is no pipeline with id "${id}".`);
    return pipeline;
  };

  api.post("/pipelines", requireRole("editor"), async (c) => {
    const { spec, schedule, notify } = await jsonBody(c, CreatePipelineBody);
    const p = await createPipeline(kv, c.get("tenant"), spec, deps.engine.now?.(), {
      schedule,
      notify,
      secrets: deps.engine.secrets,
    });
    await recordAudit(kv, c.get("tenant"), {
      actor: c.get("principal").label,
      action: "pipeline.created",
      target: p.id,
      detail: { name: p.name },
    });
    const url = hookUrl(c, p.id);
    // The only answer that ever shows the webhook secret (and the notification secret).
    return c.json({
      id: p.id,
      name: p.name,
      webhook: { url, secret: p.webhookSecret },
      ...(p.schedule ? { schedule: scheduleView(p) } : {}),
      ...(p.notify ? { notify: { url: p.notify.url, secret: p.notifySecret } } : {}),
    }, 201);
  });

  api.get("/pipelines", async (c) => {
    const list = await listPipelines(kv, c.get("tenant"));
    return c.json({ pipelines: list.map((p) => pipelineSummary(p, hookUrl(c, p.id))) });
  });

  api.get("/pipelines/:id", async (c) => {
    const p = await pipelineOf(c.get("tenant"), c.req.param("id"));
    return c.json(pipelineDetail(p, hookUrl(c, p.id)));
  });

  api.patch("/pipelines/:id", requireRole("editor"), async (c) => {
    const tenant = c.get("tenant");
    const id = checked(PipelineId, c.req.param("id"), "The pipeline id");
    const change = await jsonBody(c, UpdatePipelineBody);
    if (change.schedule === undefined && change.notify === undefined) {
      throw new ApiError(
        400,
        'The request body changes nothing; send "schedule" and/or "notify" (null removes one).',
      );
    }
    const now = deps.engine.now?.() ?? new Date();
    const updated = await updatePipeline(kv, tenant, id, change, now);
    if (!updated) throw new ApiError(404, `There is no pipeline with id "${id}".`);
    const p = updated.pipeline;
    await recordAudit(kv, tenant, {
      actor: c.get("principal").label,
      action: "pipeline.updated",
      target: p.id,
      detail: {
        name: p.name,
        ...(change.schedule !== undefined ? { schedule: change.schedule } : {}),
        ...(change.notify !== undefined ? { notify: change.notify?.url ?? null } : {}),
      },
    });
    const detail = pipelineDetail(p, hookUrl(c, p.id));
    // A notification secret created by this change is shown here, once.
    return c.json(
      updated.notifySecretCreated && p.notify
        ? { ...detail, notify: { url: p.notify.url, secret: p.notifySecret } }
        : detail,
    );
  });

  api.post("/pipelines/:id/runs", requireRole("editor"), async (c) => {
    const tenant = c.get("tenant");
    const p = await pipelineOf(tenant, c.req.param("id"));
    const { since } = await jsonBody(c, StartRunBody);
    const run = await startPipelineRun(deps.engine, tenant, p.spec, {
      pipelineId: p.id,
      trigger: "api",
      by: c.get("principal").label,
    }, { since });
    const statusUrl = urlFor(c, deps.publicUrl, `/api/v1/runs/${run.id}`);
    c.header("Location", statusUrl);
    return c.json({ runId: run.id, status: run.status, statusUrl }, 202);
  });

  api.route("/runs", runRoutes(deps));
  api.route("/connections", connectionRoutes(deps));
  api.route("/", memberRoutes(deps));
  api.route("/", auditRoutes(deps));
  api.route("/", reportRoutes(deps));
  return api;
}
