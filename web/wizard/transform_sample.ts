/**
 * The first rows of a draft's source, read the way the planner reads its sample (etl/plan.ts):
 * the source step's config parsed by its entry, secrets and saved connections opened inside the
 * server, the tenant's own input folder, and the deployment's private-network rule. The
 * transformation step previews its resources from these rows; the review step counts them.
 * @module
 */
import { connectionContext } from "../../etl/connections.ts";
import { ConfigError, userMessage } from "../../etl/errors.ts";
import { extractors } from "../../etl/extract/mod.ts";
import { stepConfig, zodProblems } from "../../etl/spec.ts";
import type { Row, SourceRef } from "../../etl/types.ts";
import type { AppDeps } from "../../routes/deps.ts";
import { tenantRoot } from "../../runs/plan_secrets.ts";
import type { Draft } from "./draft.ts";

/** Rows the mapping preview shows. */
export const PREVIEW_ROWS = 20;

/** What sampling a source gave: its columns and first rows, or why it could not be read. */
export type SourceSample =
  | { ok: true; columns: string[]; rows: Row[]; refs: SourceRef[]; complete: boolean }
  | { ok: false; message: string };

/** The source step of `draft` with its secrets and saved connection opened. */
async function openedSource(deps: AppDeps, draft: Draft): Promise<Record<string, unknown>> {
  const source = draft.spec.source;
  if (!source) throw new ConfigError("Choose a source on step 1 first.");
  if (!deps.engine.secrets) return source;
  const opened = await deps.engine.secrets.open(draft.tenant, { source }) as {
    source: Record<string, unknown>;
  };
  return opened.source;
}

/**
 * Read up to `limit` rows of the draft's source. `complete` is true when the source had no more
 * rows than that (so the count is the file's row count).
 */
export async function sampleSource(
  deps: AppDeps,
  draft: Draft,
  limit: number = PREVIEW_ROWS,
): Promise<SourceSample> {
  try {
    const step = await openedSource(deps, draft);
    const entry = extractors.get(String(step.type ?? ""));
    if (!entry) throw new ConfigError(`The source type "${String(step.type)}" is not known.`);
    const parsed = entry.config.safeParse(stepConfig(step, "type"));
    if (!parsed.success) {
      const problems = zodProblems(parsed.error, "source");
      throw new ConfigError("The source settings are not complete", problems);
    }
    const e = deps.engine;
    const ctx = {
      ...connectionContext({ allowPrivateNetwork: e.allowPrivateNetwork, tenant: draft.tenant }),
      inputRoot: tenantRoot(e.inputRoot, draft.tenant, e.tenantFiles),
      outputRoot: tenantRoot(e.outputRoot, draft.tenant, e.tenantFiles),
    };
    let rows: Row[] = [];
    let refs: SourceRef[] = [];
    // One extra row tells whether the source holds more than `limit`.
    for await (const batch of entry.run(ctx, parsed.data, { batchSize: limit + 1 })) {
      rows = batch.rows;
      refs = batch.refs;
      if (rows.length > 0) break;
    }
    const complete = rows.length <= limit;
    rows = rows.slice(0, limit);
    refs = refs.slice(0, limit);
    const columns = entry.columns
      ? await entry.columns(ctx, parsed.data)
      : [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return { ok: true, columns, rows, refs, complete };
  } catch (err) {
    return { ok: false, message: userMessage(err) };
  }
}
