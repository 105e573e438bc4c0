/**
 * The wizard's draft: what a member has entered so far, kept server-side (so back / next keep
 * it, and a reload loses nothing) under `["tenants", tenant, "drafts", id]` for 7 days. The draft
 * holds a pipeline spec in the making, with its secrets sealed like a saved pipeline's, plus the
 * wizard's own choices (how the source was given, the preview's type overrides, analytics).
 *
 * @example
 * ```ts
 * const draft = await newDraft(kv, tenant, userId);
 * await saveDraft(kv, secrets, { ...draft, spec: { ...draft.spec, source } });
 * ```
 * @module
 */
import type { SpecSecrets } from "../../pipelines/spec_secrets.ts";

/** The wizard's steps, in order; the URL of step `s` is `/app/pipelines/new/<draft>/<s>`. */
export const WIZARD_STEPS = ["source", "transform", "repository", "analytics", "review"] as const;
/** One of {@link WIZARD_STEPS}. */
export type WizardStep = typeof WIZARD_STEPS[number];

/** Titles of the steps, as the step list shows them. */
export const STEP_TITLES: Record<WizardStep, string> = {
  source: "Source",
  transform: "Transformation",
  repository: "Repository",
  analytics: "Analytics",
  review: "Review",
};

/** A pipeline spec in the making: every part optional until the review step. */
export interface DraftSpec {
  version: 1;
  name: string;
  source?: Record<string, unknown>;
  transforms: Record<string, unknown>[];
  output?: Record<string, unknown>;
  repository?: Record<string, unknown>;
  options?: Record<string, unknown>;
  analytics?: { enabled: boolean; dimensions?: string[] };
}

/** A draft as stored. */
export interface Draft {
  id: string;
  tenant: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The furthest step reached (the step list links only up to it). */
  reached: WizardStep;
  spec: DraftSpec;
  /** How the source was given: an uploaded file, a saved connection, or typed settings. */
  sourceMode?: "upload" | "connection" | "settings";
  /** The uploaded file, relative to the tenant's input folder. */
  upload?: { path: string; name: string; bytes: number };
  /** Column → type chosen on the preview (integer, decimal, boolean, date, datetime, string). */
  typeOverrides?: Record<string, string>;
  /** Cron expression for scheduled runs, chosen on the review step. */
  schedule?: string;
  /** Set once saved: the pipeline this draft became. */
  pipelineId?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long an untouched draft is kept. */
export const DRAFT_TTL_MS = 7 * DAY_MS;

/** KV key of a draft. */
export const draftKey = (
  tenant: string,
  id: string,
): Deno.KvKey => ["tenants", tenant, "drafts", id];

/** Start an empty draft for member `userId`. */
export async function newDraft(kv: Deno.Kv, tenant: string, userId: string): Promise<Draft> {
  const now = new Date().toISOString();
  const id = Array.from(
    crypto.getRandomValues(new Uint8Array(12)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const draft: Draft = {
    id,
    tenant,
    createdBy: userId,
    createdAt: now,
    updatedAt: now,
    reached: "source",
    spec: { version: 1, name: "", transforms: [] },
  };
  await kv.set(draftKey(tenant, id), draft, { expireIn: DRAFT_TTL_MS });
  return draft;
}

/** The tenant's draft `id`, or undefined (another tenant's id included). */
export async function getDraft(
  kv: Deno.Kv,
  tenant: string,
  id: string,
): Promise<Draft | undefined> {
  if (!/^[0-9a-f]{24}$/.test(id)) return undefined;
  return (await kv.get<Draft>(draftKey(tenant, id))).value ?? undefined;
}

/**
 * Store `draft` with its spec's secrets sealed; a secret left empty or masked keeps the value the
 * stored draft had (so going back to a step does not lose a password).
 */
export async function saveDraft(
  kv: Deno.Kv,
  secrets: SpecSecrets | undefined,
  draft: Draft,
): Promise<Draft> {
  const stored = await getDraft(kv, draft.tenant, draft.id);
  const spec = secrets
    ? await secrets.seal(draft.tenant, draft.spec, stored?.spec) as DraftSpec
    : draft.spec;
  const next: Draft = { ...draft, spec, updatedAt: new Date().toISOString() };
  await kv.set(draftKey(draft.tenant, draft.id), next, { expireIn: DRAFT_TTL_MS });
  return next;
}

/** The later of two steps. */
export function furthest(a: WizardStep, b: WizardStep): WizardStep {
  return WIZARD_STEPS.indexOf(a) >= WIZARD_STEPS.indexOf(b) ? a : b;
}
