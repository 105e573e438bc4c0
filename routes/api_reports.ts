/**
 * Reports in the JSON API: a run's basic report (JSON, or CSV as a download), the tenant's
 * report across the latest run of each saved pipeline, and the tenant's small-cell suppression
 * threshold. Every report is suppressed with that threshold before it is sent (see
 * `report_data.ts`); another tenant's run answers 404 like an unknown one. Mounted at
 * `/api/v1` behind the tenant check of `api.ts`.
 * @module
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { reportCsv } from "../analytics/csv.ts";
import type { Report } from "../analytics/report.ts";
import { getReportSettings, ReportSettings, setReportSettings } from "../analytics/settings.ts";
import { recordAudit } from "../audit/log.ts";
import type { ApiEnv, AppDeps } from "./deps.ts";
import { ApiError, checked, jsonBody, RunId } from "./http.ts";
import { findRunReport, findTenantReport } from "./report_data.ts";
import { requireRole } from "./roles.ts";

/** Query of `GET /report`. */
export const TenantReportQuery = z.object({
  format: z.enum(["json", "csv"]).default("json")
    .describe("json (the report) or csv (the same numbers as a download)"),
});

/** Body of `PUT /settings/report`. */
export const ReportSettingsBody = ReportSettings;

/** A file name made only of safe characters. */
const fileName = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);

/** Answer `report` as a CSV attachment named `name`, and write the download to the audit log. */
async function sendCsv(
  deps: AppDeps,
  c: Context<ApiEnv>,
  report: Report,
  name: string,
  target: string,
): Promise<Response> {
  const csv = reportCsv(report);
  await recordAudit(deps.engine.kv, c.get("tenant"), {
    actor: c.get("principal").label,
    action: "download",
    target,
    detail: { file: name, threshold: report.suppression.threshold },
  });
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${name}"`);
  c.header("Cache-Control", "private, no-store");
  return c.body(csv);
}

/** The report routes (`/runs/:id/report`, `/runs/:id/report.csv`, `/report`, `/settings/report`). */
export function reportRoutes(deps: AppDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  const engine = deps.engine;

  const runReport = async (c: Context<ApiEnv>) => {
    const id = checked(RunId, c.req.param("id"), "The run id");
    const found = await findRunReport(engine, c.get("tenant"), id);
    if (!found.report) throw new ApiError(404, found.reason);
    return found.report;
  };

  api.get("/runs/:id/report", async (c) => {
    c.header("Cache-Control", "private, no-store");
    return c.json(await runReport(c));
  });

  api.get("/runs/:id/report.csv", async (c) => {
    const report = await runReport(c);
    return await sendCsv(deps, c, report, `report-${fileName(report.run)}.csv`, report.run);
  });

  api.get("/report", async (c) => {
    const { format } = checked(TenantReportQuery, c.req.query(), "The query");
    const tenant = c.get("tenant");
    const found = await findTenantReport(engine, tenant);
    if (!found.report) throw new ApiError(404, found.reason);
    if (format === "csv") {
      const day = found.report.generatedAt.slice(0, 10);
      return await sendCsv(deps, c, found.report, `report-${fileName(tenant)}-${day}.csv`, tenant);
    }
    c.header("Cache-Control", "private, no-store");
    return c.json({ ...found.report, runs: found.runs });
  });

  api.get("/settings/report", async (c) => {
    return c.json(await getReportSettings(engine.kv, c.get("tenant")));
  });

  api.put("/settings/report", requireRole("owner"), async (c) => {
    const tenant = c.get("tenant");
    const body = await jsonBody(c, ReportSettingsBody);
    const before = await getReportSettings(engine.kv, tenant);
    const saved = await setReportSettings(engine.kv, tenant, body);
    await recordAudit(engine.kv, tenant, {
      actor: c.get("principal").label,
      action: "settings.changed",
      target: "report",
      detail: { suppressBelow: saved.suppressBelow, was: before.suppressBelow },
    });
    return c.json(saved);
  });

  return api;
}
