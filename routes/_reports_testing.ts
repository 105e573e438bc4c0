/**
 * Test harness of the report routes: the accounts app (sessions, KV tokens, the two operator
 * tokens) with `reportRoutes` under `/api/v1` and the tenant report page under `/app/report`
 * mounted in front of it until `routes/api.ts` and `web/dashboard.tsx` mount them; a
 * signed-in owner; and the two Synthea example pipelines (`examples/`) run to the end.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Hono } from "hono";
import type { RunRecord } from "../runs/run_record.ts";
import { type AccountsApp, accountsApp, type Browser, browserCall } from "../web/_testing.ts";
import { signedIn } from "../web/page.ts";
import { refusedPage } from "../web/refused.tsx";
import { securityHeaders } from "../web/security_headers.ts";
import { tenantReportPage } from "../web/tenant_report_page.tsx";
import { reportRoutes } from "./api_reports.ts";
import type { ApiEnv } from "./deps.ts";
import { errorResponse } from "./http.ts";
import { principalMiddleware } from "./principal.ts";
import { drive, ROOT } from "./_testing.ts";

/** The example pipelines' specs, as shipped. */
export const EXAMPLE = {
  patients: JSON.parse(Deno.readTextFileSync(join(ROOT, "examples/synthea_patients.json"))),
  immunizations: JSON.parse(
    Deno.readTextFileSync(join(ROOT, "examples/synthea_immunizations.json")),
  ),
};

/** The accounts app with the report routes mounted, and its own `call`. */
export interface ReportsApp extends AccountsApp {
  /** The app with the report routes, for a server (`Deno.serve(reports.fetch)`). */
  fetch(req: Request): Response | Promise<Response>;
}

/** {@link accountsApp} with the report routes in front of the app (only those not mounted yet). */
export async function reportsApp(): Promise<ReportsApp> {
  const t = await accountsApp();
  const deps = t.appDeps;
  const has = (path: string) => t.app.routes.some((r) => r.path === path);
  const front = new Hono();
  front.use("*", securityHeaders());
  if (!has("/api/v1/report")) {
    const api = new Hono<ApiEnv>();
    api.use("*", principalMiddleware(deps));
    api.route("/", reportRoutes(deps));
    front.on(
      ["GET", "PUT"],
      [
        "/api/v1/report",
        "/api/v1/runs/:id/report",
        "/api/v1/runs/:id/report.csv",
        "/api/v1/settings/report",
      ],
      (c) => api.fetch(new Request(c.req.raw.url.replace("/api/v1", ""), c.req.raw)),
    );
    api.onError((err, c) => errorResponse(c, err, () => {}));
  }
  if (!has("/app/report")) {
    const pages = new Hono();
    pages.use("*", signedIn(deps, refusedPage));
    pages.route("/", tenantReportPage(deps));
    front.all("/app/report/*", (c) => pages.fetch(rebase(c.req.raw, "/app/report")));
    front.all("/app/report", (c) => pages.fetch(rebase(c.req.raw, "/app/report")));
  }
  front.all("*", (c) => t.app.fetch(c.req.raw));
  const fetch = (req: Request) => front.fetch(req);
  // The same request as the accounts app's `call` builds (cookie, CSRF, Origin), sent here.
  const call = browserCall(t.base, fetch);
  return { ...t, call, fetch };
}

/** `req` with `prefix` taken off its path. */
function rebase(req: Request, prefix: string): Request {
  const url = new URL(req.url);
  url.pathname = url.pathname.slice(prefix.length) || "/";
  return new Request(url, req);
}

/** Save `spec` for `owner`'s tenant, run it to the end; returns the pipeline id and the run. */
export async function runPipeline(
  t: ReportsApp,
  owner: Browser,
  spec: unknown,
): Promise<{ pipelineId: string; run: RunRecord }> {
  const made = await t.call("POST", "/api/v1/pipelines", { as: owner, body: { spec } });
  assert.equal(made.status, 201, await made.clone().text());
  const { id } = await made.json();
  const started = await t.call("POST", `/api/v1/pipelines/${id}/runs`, { as: owner });
  assert.equal(started.status, 202, await started.clone().text());
  const run = await drive(t.deps, owner.tenant, (await started.json()).runId);
  assert.equal(run.status, "succeeded", run.error);
  return { pipelineId: id, run };
}
