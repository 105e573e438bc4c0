/**
 * Test helpers of wizard steps 2–5: a signed-in tenant whose input folder holds the Synthea
 * patients CSV, and a draft whose source step is done (as step 1 leaves it).
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { SpecSecrets } from "../../pipelines/spec_secrets.ts";
import { type AccountsApp, accountsApp, type Browser } from "../_testing.ts";
import { type Draft, type DraftSpec, newDraft, saveDraft, type WizardStep } from "./draft.ts";

/** The Synthea sample shipped with the repository. */
export const SYNTHEA_PATIENTS = fileURLToPath(
  new URL("../../data/samples/synthea/patients.csv", import.meta.url),
);

/** Copy the Synthea patients CSV into `inputRoot/<tenant>/patients.csv`. */
export async function copyPatients(inputRoot: string, tenant: string): Promise<number> {
  const dir = join(inputRoot, tenant);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.copyFile(SYNTHEA_PATIENTS, join(dir, "patients.csv"));
  return (await Deno.stat(SYNTHEA_PATIENTS)).size;
}

/** A draft whose source is the uploaded patients.csv, at `reached`, with `spec` merged in. */
export async function patientsDraft(
  kv: Deno.Kv,
  secrets: SpecSecrets | undefined,
  who: { tenant: string; userId: string },
  options: { reached?: WizardStep; spec?: Partial<DraftSpec>; patch?: Partial<Draft> } = {},
): Promise<Draft> {
  const draft = await newDraft(kv, who.tenant, who.userId);
  const bytes = (await Deno.stat(SYNTHEA_PATIENTS)).size;
  return await saveDraft(kv, secrets, {
    ...draft,
    reached: options.reached ?? "transform",
    sourceMode: "upload",
    upload: { path: "patients.csv", name: "patients.csv", bytes },
    spec: { ...draft.spec, source: { type: "csv", path: "patients.csv" }, ...options.spec },
    ...options.patch,
  });
}

/** An app with per-tenant files, a signed-up owner, and the patients CSV in their folder. */
export async function stepsApp(): Promise<{ t: AccountsApp; owner: Browser & { email: string } }> {
  const t = await accountsApp({ tenantFiles: true });
  const owner = await t.signUp();
  await copyPatients(t.deps.inputRoot, owner.tenant);
  return { t, owner };
}

/** The URL of a draft's step. */
export const stepPath = (draft: Draft, step: WizardStep) =>
  `/app/pipelines/new/${draft.id}/${step}`;

const decode = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s/>]|$)`).exec(tag);
  return m ? decode(m[1] ?? "") : undefined;
};

/**
 * The fields the form of class `formClass` in `html` would submit, as a browser fills them in by
 * default (text values, checked boxes and radios, selected options, textareas). Buttons are left
 * out: the caller adds `action`.
 */
export function formFields(html: string, formClass: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*class="[^"]*\\b${formClass}\\b[^"]*"[^>]*>([\\s\\S]*?)</form>`)
    .exec(html);
  if (!form) throw new Error(`no form of class ${formClass}`);
  const body = form[1];
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    const name = attr(tag, "name");
    if (!name) continue;
    const type = attr(tag, "type") ?? "text";
    if ((type === "checkbox" || type === "radio") && attr(tag, "checked") === undefined) continue;
    out[name] = attr(tag, "value") ?? (type === "checkbox" ? "on" : "");
  }
  for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(m[1], "name");
    if (!name) continue;
    const options = [...m[2].matchAll(/<option\b([^>]*)>/g)].map((o) => o[1]);
    const chosen = options.find((o) => attr(o, "selected") !== undefined) ?? options[0];
    out[name] = chosen === undefined ? "" : attr(chosen, "value") ?? "";
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(m[1], "name");
    if (name) out[name] = decode(m[2]);
  }
  return out;
}
