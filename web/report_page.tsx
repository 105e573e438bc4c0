/**
 * `GET /app/runs/:id/report`: a run's basic report (web/pages/ReportPage.tsx), suppressed with
 * the tenant's threshold like every report that leaves the engine. Another tenant's run is
 * not found; a run without a report gets a page saying why.
 * @module
 */
import type { Context } from "hono";
import type { AppDeps } from "../routes/deps.ts";
import { findRunReport } from "../routes/report_data.ts";
import { html, type PageEnv } from "./page.ts";
import { missingPage } from "./page_kit.tsx";
import { NoReportPage, RunReportPage } from "./pages/ReportPage.tsx";

/** The handler of a run's report page. */
export function reportPage(deps: AppDeps) {
  return async (c: Context<PageEnv>) => {
    const id = c.req.param("id") ?? "";
    const found = await findRunReport(deps.engine, c.get("tenant"), id);
    const principal = c.get("principal");
    if (!found.report) {
      if (!found.run) return missingPage(c, found.reason);
      return html(
        c,
        <NoReportPage principal={principal} runId={found.run.id} reason={found.reason} />,
        404,
      );
    }
    return html(
      c,
      <RunReportPage
        principal={principal}
        report={found.report}
        finishedAt={found.run.finishedAt}
      />,
    );
  };
}
