/**
 * Where a run's analytics files live under an analytics root (keep it outside every tenant's
 * output folder, so no repository can write there and no download can serve the exact report):
 *
 * ```
 * <root>/<tenant>/runs/<run>.sqlite               the run's store (delete when the run ended)
 * <root>/<tenant>/runs/<run>.report.json          the exact report (serve only suppress(it))
 * <root>/<tenant>/pipelines/<pipeline>/latest.sqlite   the pipeline's baseline (promote())
 * ```
 * @module
 */
import { join } from "node:path";
import { textHash } from "./hash.ts";

/** The files of one run. */
export interface AnalyticsPaths {
  store: string;
  report: string;
  latest: string;
}

/**
 * A file-name-safe form of an id: its safe characters, then a hash of the whole id, so two
 * ids never share a folder however they differ (`Clinic A/B` → `Clinic_A_B-1f3a…`).
 */
export function safeSegment(id: string): string {
  const readable = id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
  if (readable === id && id !== "") return id;
  return `${readable}-${textHash(id).toString(36)}`;
}

/**
 * The analytics files of a run.
 *
 * @example
 * ```ts
 * const paths = analyticsPaths("data/analytics", { tenant: "clinic-a", pipeline: "p1", run: "r1" });
 * paths.latest; // "data/analytics/clinic-a/pipelines/p1/latest.sqlite"
 * ```
 */
export function analyticsPaths(
  root: string,
  ids: { tenant: string; pipeline: string; run: string },
): AnalyticsPaths {
  const tenant = join(root, safeSegment(ids.tenant));
  const run = safeSegment(ids.run);
  return {
    store: join(tenant, "runs", `${run}.sqlite`),
    report: join(tenant, "runs", `${run}.report.json`),
    latest: join(tenant, "pipelines", safeSegment(ids.pipeline), "latest.sqlite"),
  };
}
