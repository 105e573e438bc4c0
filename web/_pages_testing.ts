/**
 * Helpers for the run, pipeline and members page tests: an app with per-tenant files, a sample
 * CSV copied into a tenant's input folder, a saved pipeline over it, members with other roles,
 * and form posts sent the way a browser sends them (the `_csrf` field, no header).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Role } from "../accounts/store.ts";
import { ROOT } from "../routes/_testing.ts";
import {
  type AccountsApp,
  type Browser,
  PASSWORD,
  sessionCookieOf,
  withAccountsApp,
} from "./_testing.ts";

/** Run `fn` with an app whose tenants each have their own input and output folders. */
export function withPages(fn: (t: AccountsApp) => Promise<void>): Promise<void> {
  return withAccountsApp(fn, { tenantFiles: true });
}

/** Copy `sample` (a path under the project root) into `tenant`'s input folder as `name`. */
export async function copySample(
  t: AccountsApp,
  tenant: string,
  sample: string,
  name: string,
): Promise<void> {
  const dir = join(t.deps.inputRoot, tenant);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.copyFile(join(ROOT, sample), join(dir, name));
}

/**
 * The clinic sample (30 rows, one with the impossible date 1994-02-30) → normalize → CSV in
 * the file repository, saved for `owner`'s tenant through the JSON API; returns its id.
 */
export async function clinicPipeline(
  t: AccountsApp,
  owner: Browser,
  options: { file?: string; name?: string; schedule?: string } = {},
): Promise<string> {
  const file = options.file ?? "clinic.csv";
  await copySample(t, owner.tenant, "data/samples/generic_clinic_patients.csv", file);
  const spec = {
    version: 1,
    name: options.name ?? "clinic-patients",
    source: { type: "csv", path: file },
    transforms: [{ type: "normalize", types: { dob: "date" } }],
    output: { format: "csv" },
    repository: { type: "file", path: "clinic/patients.csv" },
  };
  const res = await t.call("POST", "/api/v1/pipelines", {
    as: owner,
    body: { spec, ...(options.schedule ? { schedule: options.schedule } : {}) },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

/** Start a run of pipeline `id` through the JSON API; returns the run id (queued). */
export async function startRunOf(t: AccountsApp, as: Browser, id: string): Promise<string> {
  const res = await t.call("POST", `/api/v1/pipelines/${id}/runs`, { as });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()).runId;
}

/** A form post as a browser sends it: the CSRF token in `_csrf`, no header. */
export function postForm(
  t: AccountsApp,
  as: Browser,
  path: string,
  form: Record<string, string> = {},
): Promise<Response> {
  return t.call("POST", path, { as, csrf: false, form: { _csrf: as.csrf, ...form } });
}

/** The owner invites someone with `role` through the API; they accept and are signed in. */
export async function invited(
  t: AccountsApp,
  owner: Browser,
  role: Role,
): Promise<Browser & { email: string }> {
  const invite = await t.call("POST", "/api/v1/invites", { as: owner, body: { role } });
  assert.equal(invite.status, 201);
  const { token } = await invite.json();
  const email = `${role}-${crypto.randomUUID()}@clinic.example`;
  const res = await t.call("POST", "/auth/invites/accept", {
    body: { token, email, password: PASSWORD },
  });
  assert.equal(res.status, 201);
  const body = await res.json();
  return {
    cookie: sessionCookieOf(res)!,
    csrf: body.csrf,
    tenant: body.tenant.id,
    userId: body.user.id,
    email,
  };
}

/** The text of an HTML page with tags removed and spaces collapsed, for sentence checks. */
export function textOf(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, " ").replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/\s+/g, " ");
}
