/**
 * `GET /app/runs/:id/report`: a placeholder until the analytics work brings the report page.
 * It is its own route function so that work can replace this file without touching the runs
 * pages.
 * @module
 */
import type { Context } from "hono";
import { Layout } from "../components/Layout.tsx";
import { PageHead } from "../components/ui.tsx";
import type { AppDeps } from "../routes/deps.ts";
import { RunId } from "../routes/http.ts";
import { getRun } from "../runs/engine.ts";
import { html, type PageEnv } from "./page.ts";
import { missingPage } from "./page_kit.tsx";

/** The handler of a run's report page. */
export function reportPage(deps: AppDeps) {
  return async (c: Context<PageEnv>) => {
    const id = c.req.param("id") ?? "";
    const run = RunId.safeParse(id).success
      ? await getRun(deps.engine.kv, c.get("tenant"), id)
      : undefined;
    if (!run) return missingPage(c, `There is no run with id "${id}".`);
    return html(
      c,
      <Layout title={`Report of ${run.pipeline}`} principal={c.get("principal")} active="runs">
        <PageHead title={`Report of ${run.pipeline}`} />
        <div class="card">
          <p>The report of this run will appear here.</p>
          <p>
            <a href={`/app/runs/${run.id}`}>Back to the run</a>
          </p>
        </div>
      </Layout>,
    );
  };
}
