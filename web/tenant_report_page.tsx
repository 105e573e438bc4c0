/**
 * `/app/report`: the tenant's report across the latest successful run of each pipeline
 * (web/pages/ReportPage.tsx), and the owners' form that sets below which count numbers are
 * hidden (`POST /app/report/settings`, the same setting and audit entry as
 * `PUT /api/v1/settings/report`).
 * @module
 */
import { type Context, Hono } from "hono";
import { getReportSettings, setReportSettings } from "../analytics/settings.ts";
import { recordAudit } from "../audit/log.ts";
import { Csrf } from "../components/ui.tsx";
import { ConfigError } from "../etl/errors.ts";
import type { AppDeps } from "../routes/deps.ts";
import { findTenantReport } from "../routes/report_data.ts";
import { roleAtLeast } from "../routes/roles.ts";
import { field, html, type PageEnv, pageRole } from "./page.ts";
import { doneNotice } from "./page_kit.tsx";
import { TenantReportPage } from "./pages/ReportPage.tsx";
import { ThresholdForm } from "./pages/ReportSettings.tsx";
import { refusedPage } from "./refused.tsx";

const NOTICES = { settings: "The threshold was saved. Every report now hides counts below it." };

/** The `/app/report` routes: the page and its settings form. */
export function tenantReportPage(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>();
  const kv = deps.engine.kv;

  const show = async (
    c: Context<PageEnv>,
    form: { value?: string; error?: string } = {},
  ) => {
    const tenant = c.get("tenant");
    const principal = c.get("principal");
    const [found, settings] = await Promise.all([
      findTenantReport(deps.engine, tenant),
      getReportSettings(kv, tenant),
    ]);
    const owner = roleAtLeast(principal.role, "owner");
    return html(
      c,
      <TenantReportPage
        principal={principal}
        report={found.report}
        runs={found.report ? found.runs : []}
        reason={found.report ? undefined : found.reason}
        threshold={settings.suppressBelow}
        notice={form.error ? undefined : doneNotice(c, NOTICES)}
        settings={owner
          ? (
            <ThresholdForm
              value={form.value ?? String(settings.suppressBelow)}
              error={form.error}
              csrf={<Csrf token={principal.csrf} />}
            />
          )
          : <p class="help">Owners of your organisation can change the threshold.</p>}
      />,
      form.error ? 400 : 200,
    );
  };

  pages.get("/", (c) => show(c));

  pages.post("/settings", pageRole("owner", refusedPage), async (c) => {
    const tenant = c.get("tenant");
    const raw = field(await c.req.parseBody(), "suppressBelow");
    const value = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
    const before = await getReportSettings(kv, tenant);
    try {
      const saved = await setReportSettings(kv, tenant, { suppressBelow: value });
      await recordAudit(kv, tenant, {
        actor: c.get("principal").label,
        action: "settings.changed",
        target: "report",
        detail: { suppressBelow: saved.suppressBelow, was: before.suppressBelow },
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return await show(c, {
        value: raw,
        error: `"${raw}" is not a threshold you can use: give a whole number from 1 to 100.`,
      });
    }
    return c.redirect("/app/report?done=settings#suppression-h", 303);
  });

  return pages;
}
