/**
 * What the API shows of pipelines and runs: never a webhook or notification secret (except
 * once, when it is created), never a spec's secret fields, never a run's cursor or sink
 * checkpoint.
 * @module
 */
import { maskSpec } from "../pipelines/mask.ts";
import type { NotificationRecord } from "../pipelines/notifier.ts";
import type { RunOrigin } from "../pipelines/start.ts";
import type { PipelineRecord } from "../pipelines/store.ts";
import type { RunRecord } from "../runs/run_record.ts";
import { describeCron, parseCron } from "../triggers/cron.ts";

/** A pipeline's schedule with its plain-English reading, or null when it has none. */
export function scheduleView(p: PipelineRecord): { cron: string; says: string } | null {
  return p.schedule ? { cron: p.schedule, says: describeCron(parseCron(p.schedule)) } : null;
}

/** A pipeline in lists: no spec, no secret. */
export function pipelineSummary(p: PipelineRecord, webhookUrl: string) {
  return {
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    webhook: { url: webhookUrl },
    schedule: scheduleView(p),
    notify: p.notify ? { url: p.notify.url } : null,
  };
}

/** One pipeline: its spec with secret fields masked. */
export function pipelineDetail(p: PipelineRecord, webhookUrl: string) {
  return { ...pipelineSummary(p, webhookUrl), spec: maskSpec(p.spec) };
}

/**
 * A run as the API shows it, with links to its status and rejected rows, and the outcome of its
 * notification (null when none was sent: no notification URL, or not sent yet).
 */
export function runView(
  run: RunRecord,
  origin: RunOrigin | undefined,
  url: (p: string) => string,
  notification?: NotificationRecord,
) {
  const self = `/api/v1/runs/${run.id}`;
  return {
    id: run.id,
    pipeline: { id: origin?.pipelineId ?? null, name: run.pipeline },
    trigger: origin?.trigger ?? null,
    startedBy: origin?.by ?? null,
    rerunOf: origin?.rerunOf ?? null,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt ?? null,
    finishedAt: run.finishedAt ?? null,
    heartbeatAt: run.heartbeatAt ?? null,
    counts: run.counts,
    // The stages this pipeline has a step for; the others pass rows through (null: not known).
    stages: run.stages ?? null,
    rejectedByStage: run.rejectedByStage,
    rejectedKept: run.rejectedKept,
    // `total` only where the source could count its rows (databases, FHIR servers).
    progress: {
      rowsRead: run.counts.read,
      total: run.total ?? null,
      percent: run.total ? Math.min(100, Math.floor((run.counts.read / run.total) * 100)) : null,
      readDone: run.readDone,
      steps: run.steps,
    },
    error: run.error ?? null,
    warnings: run.warnings,
    retries: run.retries ?? { count: 0, recent: [] },
    output: run.output ?? null,
    manifest: run.manifest ?? null,
    notification: notification ?? null,
    links: { self: url(self), rejected: url(`${self}/rejected`) },
  };
}
