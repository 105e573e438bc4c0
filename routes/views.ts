/**
 * What the API shows of pipelines and runs: never a webhook secret (except once, on creation),
 * never a spec's secret fields, never a run's cursor or sink checkpoint.
 * @module
 */
import { maskSpec } from "../pipelines/mask.ts";
import type { RunOrigin } from "../pipelines/start.ts";
import type { PipelineRecord } from "../pipelines/store.ts";
import type { RunRecord } from "../runs/run_record.ts";

/** A pipeline in lists: no spec, no secret. */
export function pipelineSummary(p: PipelineRecord, webhookUrl: string) {
  return { id: p.id, name: p.name, createdAt: p.createdAt, webhook: { url: webhookUrl } };
}

/** One pipeline: its spec with secret fields masked. */
export function pipelineDetail(p: PipelineRecord, webhookUrl: string) {
  return { ...pipelineSummary(p, webhookUrl), spec: maskSpec(p.spec) };
}

/** A run as the API shows it, with links to its status and rejected rows. */
export function runView(run: RunRecord, origin: RunOrigin | undefined, url: (p: string) => string) {
  const self = `/api/v1/runs/${run.id}`;
  return {
    id: run.id,
    pipeline: { id: origin?.pipelineId ?? null, name: run.pipeline },
    trigger: origin?.trigger ?? null,
    rerunOf: origin?.rerunOf ?? null,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    heartbeatAt: run.heartbeatAt ?? null,
    counts: run.counts,
    rejectedByStage: run.rejectedByStage,
    rejectedKept: run.rejectedKept,
    // Sources do not report a total yet, so progress is the rows read so far.
    progress: { rowsRead: run.counts.read, total: null, readDone: run.readDone, steps: run.steps },
    error: run.error ?? null,
    warnings: run.warnings,
    output: run.output ?? null,
    manifest: run.manifest ?? null,
    links: { self: url(self), rejected: url(`${self}/rejected`) },
  };
}
