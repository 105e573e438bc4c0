/**
 * Saved pipelines: a spec with a name, an id and the secret its webhook is signed with, in KV
 * under `["tenants", tenant, "pipelines", id]`. A second key, `["pipeline_tenants", id]`, names
 * the owning tenant, because a webhook request carries only the pipeline id (its URL); it holds
 * nothing else, so it reveals nothing without the secret.
 * @module
 */
import { checkSpec } from "../etl/plan.ts";
import { parseCron } from "../triggers/cron.ts";
import { generateWebhookSecret } from "../triggers/signature.ts";

/** A saved pipeline as stored. `webhookSecret` is shown once, when the pipeline is created. */
export interface PipelineRecord {
  id: string;
  name: string;
  /** The spec as the user sent it (secrets included until the vault lands). */
  spec: unknown;
  webhookSecret: string;
  createdAt: string;
  /** A 5-field cron expression (UTC) that starts runs; none when missing. */
  schedule?: string;
}

/** KV keys of pipelines. */
export const pipelineKeys = {
  pipeline: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "pipelines", id],
  pipelines: (tenant: string): Deno.KvKey => ["tenants", tenant, "pipelines"],
  owner: (id: string): Deno.KvKey => ["pipeline_tenants", id],
  /** System index of scheduled pipelines for the minute tick (ids and cron only). */
  schedule: (tenant: string, id: string): Deno.KvKey => ["system", "schedules", tenant, id],
  schedules: (): Deno.KvKey => ["system", "schedules"],
};

/** A random pipeline id: 16 random bytes as 32 hex digits (unguessable, URL-safe). */
export function newPipelineId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Save a new pipeline for `tenant`. The spec is checked first: a bad one throws the ConfigError
 * of `checkSpec`, listing every problem, and nothing is saved.
 */
export async function createPipeline(
  kv: Deno.Kv,
  tenant: string,
  spec: unknown,
  now: Date = new Date(),
  options: { schedule?: string } = {},
): Promise<PipelineRecord> {
  const checked = checkSpec(spec);
  // A bad expression throws a ConfigError naming the field and value.
  if (options.schedule !== undefined) parseCron(options.schedule);
  const record: PipelineRecord = {
    id: newPipelineId(),
    name: checked.spec.name,
    spec,
    webhookSecret: generateWebhookSecret(),
    createdAt: now.toISOString(),
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
  };
  const key = pipelineKeys.pipeline(tenant, record.id);
  const owner = pipelineKeys.owner(record.id);
  const op = kv.atomic()
    .check({ key, versionstamp: null }, { key: owner, versionstamp: null })
    .set(key, record).set(owner, { tenant });
  if (record.schedule) {
    op.set(pipelineKeys.schedule(tenant, record.id), {
      cron: record.schedule,
      notBefore: record.createdAt,
    });
  }
  const result = await op.commit();
  // 128 random bits do not collide; a failed check means something is badly wrong.
  if (!result.ok) throw new Error("Could not save the pipeline; try again");
  return record;
}

/** One pipeline of `tenant` (undefined when this tenant has none with that id). */
export async function getPipeline(
  kv: Deno.Kv,
  tenant: string,
  id: string,
): Promise<PipelineRecord | undefined> {
  return (await kv.get<PipelineRecord>(pipelineKeys.pipeline(tenant, id))).value ?? undefined;
}

/** The pipelines of `tenant`, oldest first, at most `limit`. */
export async function listPipelines(
  kv: Deno.Kv,
  tenant: string,
  limit = 1_000,
): Promise<PipelineRecord[]> {
  const out: PipelineRecord[] = [];
  for await (const e of kv.list<PipelineRecord>({ prefix: pipelineKeys.pipelines(tenant) })) {
    out.push(e.value);
  }
  out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return out.slice(0, limit);
}

/**
 * The pipeline behind a webhook URL, with its tenant, or undefined for an unknown id. Only the
 * webhook route uses this: everything else goes through a tenant.
 */
export async function findPipelineForWebhook(
  kv: Deno.Kv,
  id: string,
): Promise<{ tenant: string; pipeline: PipelineRecord } | undefined> {
  const owner = (await kv.get<{ tenant: string }>(pipelineKeys.owner(id))).value;
  if (!owner) return undefined;
  const pipeline = await getPipeline(kv, owner.tenant, id);
  return pipeline && { tenant: owner.tenant, pipeline };
}
