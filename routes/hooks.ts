/**
 * `POST /hooks/:pipelineId`: a signed request starts a run of the pipeline (headers and signing:
 * triggers/signature.ts). Unknown pipelines, missing or bad signatures, stale timestamps and
 * replays all get the same bare 401, so a caller learns nothing about why or whether the
 * pipeline exists. An `Idempotency-Key` header seen before answers with the run it started.
 * @module
 */
import { Hono } from "hono";
import { getRun } from "../runs/engine.ts";
import { newRunId } from "../runs/run_id.ts";
import { startPipelineRun } from "../pipelines/start.ts";
import { findPipelineForWebhook } from "../pipelines/store.ts";
import { admitWebhook } from "../triggers/replay.ts";
import { generateWebhookSecret, verifyWebhook } from "../triggers/signature.ts";
import type { AppDeps } from "./deps.ts";
import { ApiError, PipelineId, urlFor } from "./http.ts";

/** Checked against when the pipeline is unknown, so that case costs the same HMAC work. */
const DECOY_SECRET = generateWebhookSecret();

/** The one answer to every refused webhook request. */
const REFUSED = "The request was not accepted.";

/** The `/hooks` routes. */
export function hookRoutes(deps: AppDeps): Hono {
  const hooks = new Hono();
  const kv = deps.engine.kv;
  const now = () => deps.engine.now?.() ?? new Date();
  const log = deps.log ?? ((line: string) => console.error(line));

  hooks.post("/:pipelineId", async (c) => {
    const id = c.req.param("pipelineId");
    // Read the body before any lookup so that known and unknown ids cost about the same.
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const found = PipelineId.safeParse(id).success
      ? await findPipelineForWebhook(kv, id)
      : undefined;
    const secret = found?.pipeline.webhookSecret ?? DECOY_SECRET;
    const verified = await verifyWebhook(secret, c.req.raw.headers, raw, now());
    if (!found || !verified.ok) {
      if (found && !verified.ok) log(`Webhook for pipeline ${id} refused: ${verified.reason}`);
      throw new ApiError(401, REFUSED);
    }
    const { tenant, pipeline } = found;
    const runId = newRunId(now());
    const key = c.req.header("Idempotency-Key");
    const admission = await admitWebhook(kv, pipeline.id, verified, key, runId, { now: now() });
    if (admission.action === "replay") {
      log(`Webhook for pipeline ${id} refused: a replay of a request already seen`);
      throw new ApiError(401, REFUSED);
    }
    const statusUrl = (run: string) => urlFor(c, deps.publicUrl, `/api/v1/runs/${run}`);
    if (admission.action === "existing") {
      const existing = await getRun(kv, tenant, admission.runId);
      return c.json({
        runId: admission.runId,
        status: existing?.status ?? "queued",
        statusUrl: statusUrl(admission.runId),
      }, 202);
    }
    const run = await startPipelineRun(
      deps.engine,
      tenant,
      pipeline.spec,
      { pipelineId: pipeline.id, trigger: "webhook" },
      { id: runId },
    );
    c.header("Location", statusUrl(run.id));
    return c.json({ runId: run.id, status: run.status, statusUrl: statusUrl(run.id) }, 202);
  });

  return hooks;
}
