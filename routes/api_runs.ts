/**
 * The run routes of the JSON API: list, get, cancel, re-run, rejected rows. Mounted at
 * `/api/v1/runs` behind the tenant check of `api.ts`.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { RejectedRow } from "../etl/pipeline.ts";
import { recordAudit } from "../audit/log.ts";
import { runNotifications } from "../pipelines/notifier.ts";
import { rerun } from "../pipelines/rerun.ts";
import { runOrigins } from "../pipelines/start.ts";
import { cancelRun } from "../runs/cancel.ts";
import { getRun } from "../runs/engine.ts";
import { runKeys, type RunRecord } from "../runs/run_record.ts";
import type { ApiEnv, AppDeps } from "./deps.ts";
import { ApiError, checked, RunId, urlFor } from "./http.ts";
import { requireRole } from "./roles.ts";
import { outputFile } from "./output_file.ts";
import { runView } from "./views.ts";

/** Query of `GET /runs`. */
export const ListRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20)
    .describe("How many runs to return (1 to 100)"),
  cursor: z.string().min(1).max(2_000).optional()
    .describe("The `next` value of the previous page"),
});

/** Query of `GET /runs/:id/rejected`. */
export const RejectedQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000)
    .describe("How many rejected rows to return (1 to 10,000)"),
});

/** The `/runs` routes. */
export function runRoutes(deps: AppDeps): Hono<ApiEnv> {
  const runs = new Hono<ApiEnv>();
  const kv = deps.engine.kv;
  type C = Parameters<typeof urlFor>[0];
  const view = async (c: C, tenant: string, run: RunRecord) => {
    const [[origin], [notification]] = await Promise.all([
      runOrigins(kv, tenant, [run.id]),
      runNotifications(kv, tenant, [run.id]),
    ]);
    return runView(run, origin, (p) => urlFor(c, deps.publicUrl, p), notification);
  };
  const runOf = async (tenant: string, raw: string) => {
    const id = checked(RunId, raw, "The run id");
    const run = await getRun(kv, tenant, id);
    if (!run) throw new ApiError(404, `There is no run with id "${id}".`);
    return run;
  };

  runs.get("/", async (c) => {
    const tenant = c.get("tenant");
    const q = checked(ListRunsQuery, c.req.query(), "The query");
    // Run ids are UUIDv7 (time-ordered), so a reverse range read is newest first.
    const iter = kv.list<RunRecord>({ prefix: runKeys.runs(tenant) }, {
      reverse: true,
      limit: q.limit,
      cursor: q.cursor,
    });
    const page: RunRecord[] = [];
    try {
      for await (const e of iter) page.push(e.value);
    } catch {
      throw new ApiError(400, "The cursor is not valid; start again without one.");
    }
    const ids = page.map((r) => r.id);
    const [origins, notifications] = await Promise.all([
      runOrigins(kv, tenant, ids),
      runNotifications(kv, tenant, ids),
    ]);
    const url = (p: string) => urlFor(c, deps.publicUrl, p);
    return c.json({
      runs: page.map((r, i) => runView(r, origins[i], url, notifications[i])),
      next: page.length === q.limit && iter.cursor ? iter.cursor : null,
    });
  });

  runs.get("/:id", async (c) => {
    const tenant = c.get("tenant");
    return c.json(await view(c, tenant, await runOf(tenant, c.req.param("id"))));
  });

  runs.post("/:id/cancel", requireRole("editor"), async (c) => {
    const tenant = c.get("tenant");
    const id = checked(RunId, c.req.param("id"), "The run id");
    const result = await cancelRun(deps.engine, tenant, id);
    if (result.outcome === "missing") throw new ApiError(404, `There is no run with id "${id}".`);
    if (result.outcome === "ended") {
      throw new ApiError(
        409,
        `The run already ended (${result.run.status}); only queued or running runs can be cancelled.`,
      );
    }
    await recordAudit(kv, tenant, {
      actor: c.get("principal").label,
      action: "run.cancelled",
      target: id,
    });
    return c.json(await view(c, tenant, result.run));
  });

  runs.post("/:id/rerun", requireRole("editor"), async (c) => {
    const tenant = c.get("tenant");
    const run = await runOf(tenant, c.req.param("id"));
    const result = await rerun(deps.engine, tenant, run, c.get("principal").label);
    if (result.outcome === "not-ended") {
      throw new ApiError(409, `The run is still ${run.status}; re-run it once it has ended.`);
    }
    if (result.outcome === "no-spec") {
      throw new ApiError(409, "This run's spec is no longer stored; start the pipeline again.");
    }
    const next = result.run;
    const statusUrl = urlFor(c, deps.publicUrl, `/api/v1/runs/${next.id}`);
    c.header("Location", statusUrl);
    return c.json({ runId: next.id, status: next.status, statusUrl }, 202);
  });

  runs.get("/:id/rejected", async (c) => {
    const tenant = c.get("tenant");
    const run = await runOf(tenant, c.req.param("id"));
    const { limit } = checked(RejectedQuery, c.req.query(), "The query");
    const rows: RejectedRow[] = [];
    for await (const e of kv.list<RejectedRow[]>({ prefix: runKeys.rejectedOf(tenant, run.id) })) {
      rows.push(...e.value);
      if (rows.length >= limit) break;
    }
    return c.json({
      runId: run.id,
      kept: run.rejectedKept,
      total: run.counts.rejected,
      rejected: rows.slice(0, limit),
    });
  });

  runs.get("/:id/output", async (c) => {
    const tenant = c.get("tenant");
    const run = await runOf(tenant, c.req.param("id"));
    const file = await outputFile(deps.engine, run);
    await recordAudit(kv, tenant, {
      actor: c.get("principal").label,
      action: "download",
      target: run.id,
      detail: { file: run.output!.location, bytes: file.size },
    });
    c.header("Content-Type", file.contentType);
    c.header("Content-Length", String(file.size));
    c.header("Content-Disposition", `attachment; filename="${file.name}"`);
    c.header("Cache-Control", "private, no-store");
    return c.body(file.stream);
  });

  return runs;
}
