/**
 * Saved pipelines: a spec with a name, an id and the secret its webhook is signed with, in KV
 * under `["tenants", tenant, "pipelines", id]`. A second key, `["pipeline_tenants", id]`, names
 * the owning tenant, because a webhook request carries only the pipeline id (its URL); it holds
 * nothing else, so it reveals nothing without the secret. A pipeline may also have a cron
 * schedule (indexed under `["system", "schedules", …]` in the same commit) and a notification
 * URL with the secret its run notifications are signed with.
 * @module
 */
import type { SpecSecrets } from "./spec_secrets.ts";
import { ConfigError, RetriableError } from "../etl/errors.ts";
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
  /** Where a signed JSON document is POSTed when a run ends; none when missing. */
  notify?: { url: string };
  /** Signs run notifications; present while `notify` is. Shown once, when it is created. */
  notifySecret?: string;
}

/** A change to a saved pipeline: `null` removes a setting, a missing field keeps it. */
export interface PipelineChange {
  /** A new 5-field cron expression (UTC), or null to stop scheduled runs. */
  schedule?: string | null;
  /** A new notification URL, or null to stop notifications (their secret is dropped too). */
  notify?: { url: string } | null;
}

/** The outcome of {@link updatePipeline}. */
export interface PipelineUpdate {
  pipeline: PipelineRecord;
  /** A notification secret was created by this change: the only time to show it. */
  notifySecretCreated: boolean;
}

/** The longest notification URL accepted. */
export const MAX_NOTIFY_URL_LENGTH = 2_000;

/** What is wrong with a notification URL, or undefined when it is a usable http(s) URL. */
export function notifyUrlProblem(url: string): string | undefined {
  if (url.length > MAX_NOTIFY_URL_LENGTH) {
    return `is longer than ${MAX_NOTIFY_URL_LENGTH} characters`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; give the full address, e.g. https://example.org/pyxgen-runs`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `"${url}" is not an http or https URL; give the full address, e.g. https://example.org/pyxgen-runs`;
  }
  if (parsed.username || parsed.password) {
    return "must not hold a user name or password; put a token in the path or trust the signature";
  }
  return undefined;
}

function checkNotify(notify: { url: string } | undefined | null): void {
  const problem = notify ? notifyUrlProblem(notify.url) : undefined;
  if (problem) {
    throw new ConfigError(`The notification URL is not valid: notify.url ${problem}`, [
      `notify.url: ${problem}`,
    ]);
  }
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
 * of `checkSpec`, listing every problem, and nothing is saved. With `secrets` (the vault), the
 * spec's secret fields are stored sealed and saved connections it names are checked.
 */
export async function createPipeline(
  kv: Deno.Kv,
  tenant: string,
  spec: unknown,
  now: Date = new Date(),
  options: { schedule?: string; notify?: { url: string }; secrets?: SpecSecrets } = {},
): Promise<PipelineRecord> {
  // Saved with its secrets sealed; checked with its connections and secrets in place.
  const secrets = options.secrets;
  const sealed = secrets ? await secrets.seal(tenant, spec) : spec;
  const checked = checkSpec(secrets ? await secrets.open(tenant, sealed) : spec);
  // A bad expression throws a ConfigError naming the field and value.
  if (options.schedule !== undefined) parseCron(options.schedule);
  checkNotify(options.notify);
  const record: PipelineRecord = {
    id: newPipelineId(),
    name: checked.spec.name,
    spec: sealed,
    webhookSecret: generateWebhookSecret(),
    createdAt: now.toISOString(),
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.notify
      ? { notify: { url: options.notify.url }, notifySecret: generateWebhookSecret() }
      : {}),
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

/**
 * Change a pipeline's schedule and notification settings; undefined when `tenant` has no
 * pipeline `id`. The record and the schedule index change in one commit (retried when the
 * pipeline changed meanwhile). A changed schedule fires only for minutes from `now` on, never
 * for earlier ones; an unchanged one keeps its index. A changed notification URL keeps its
 * secret; a first one gets a new secret. Bad values throw a ConfigError and change nothing.
 */
export async function updatePipeline(
  kv: Deno.Kv,
  tenant: string,
  id: string,
  change: PipelineChange,
  now: Date = new Date(),
): Promise<PipelineUpdate | undefined> {
  if (typeof change.schedule === "string") parseCron(change.schedule);
  checkNotify(change.notify);
  const key = pipelineKeys.pipeline(tenant, id);
  const scheduleKey = pipelineKeys.schedule(tenant, id);
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<PipelineRecord>(key);
    if (!entry.value) return undefined;
    const next: PipelineRecord = { ...entry.value };
    const op = kv.atomic().check(entry);
    if (change.schedule === null) {
      delete next.schedule;
      op.delete(scheduleKey);
    } else if (change.schedule !== undefined && change.schedule !== next.schedule) {
      next.schedule = change.schedule;
      op.set(scheduleKey, { cron: change.schedule, notBefore: now.toISOString() });
    }
    let notifySecretCreated = false;
    if (change.notify === null) {
      delete next.notify;
      delete next.notifySecret;
    } else if (change.notify !== undefined) {
      next.notify = { url: change.notify.url };
      if (!next.notifySecret) {
        next.notifySecret = generateWebhookSecret();
        notifySecretCreated = true;
      }
    }
    op.set(key, next);
    if ((await op.commit()).ok) return { pipeline: next, notifySecretCreated };
  }
  throw new RetriableError("The pipeline kept changing while it was being saved; try again");
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
