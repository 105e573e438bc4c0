import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { runKeys, type RunRecord } from "../../runs/run_record.ts";
import {
  browserTest,
  screenshot,
  signUpInBrowser,
  type TestPortal,
  withPortal,
} from "../_browser.ts";
import { getDraft, saveDraft } from "./draft.ts";
import { copyPatients } from "./_steps_testing.ts";

/** Sign up on the page and open a new draft; returns its id and the tenant. */
async function signUpAndStart(page: Page, portal: TestPortal) {
  await signUpInBrowser(page, portal.url, "Riverside Clinic", "ana@riverside.example");
  await page.goto(`${portal.url}/app/pipelines/new`);
  await page.waitForURL(/\/app\/pipelines\/new\/[0-9a-f]{24}\/source$/);
  const id = /new\/([0-9a-f]{24})\//.exec(page.url())![1];
  // The draft's key names its tenant: ["tenants", tenant, "drafts", id].
  for await (const entry of portal.deps.kv.list({ prefix: ["tenants"] })) {
    if (entry.key[2] === "drafts" && entry.key[3] === id) {
      return { id, tenant: String(entry.key[1]) };
    }
  }
  throw new Error("the new draft is not in KV");
}

async function waitForRun(portal: TestPortal, tenant: string, id: string): Promise<RunRecord> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const run = (await portal.deps.kv.get<RunRecord>(runKeys.run(tenant, id))).value;
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${id} did not end within 30 s`);
}

browserTest(
  "browser: wizard steps 2–5 map Synthea patients to FHIR with a live preview, save and run",
  () =>
    withPortal(async (page, portal) => {
      const { id, tenant } = await signUpAndStart(page, portal);
      // Step 1 as the source step leaves it: the uploaded patients.csv, previewed.
      const bytes = await copyPatients(join(portal.dir, "in"), tenant);
      const draft = (await getDraft(portal.deps.kv, tenant, id))!;
      await saveDraft(portal.deps.kv, portal.deps.secrets, {
        ...draft,
        reached: "transform",
        sourceMode: "upload",
        upload: { path: "patients.csv", name: "patients.csv", bytes },
        spec: { ...draft.spec, source: { type: "csv", path: "patients.csv" } },
      });
      const base = `${portal.url}/app/pipelines/new/${id}`;

      // Step 2: the Synthea mapping is filled in, and the preview follows a change live.
      await page.goto(`${base}/transform`);
      const gender = page.getByRole("combobox", { name: /^Gender\s*Patient\.gender$/ });
      assert.equal(await gender.inputValue(), "GENDER");
      await page.getByText("20 of 20", { exact: true }).first().waitFor();
      // Another starting point fills the columns in again (the page posts itself).
      const reposted = () =>
        page.waitForResponse((r) =>
          r.request().method() === "POST" && r.url().endsWith("/transform")
        );
      const secondId = page.getByRole("combobox", { name: "Identifier 2: column" });
      assert.equal(await secondId.inputValue(), "Id");
      await Promise.all([
        reposted(),
        page.getByRole("radio", { name: /^Suggested from your column names/ }).check(),
      ]);
      await page.waitForLoadState("load");
      // The suggestion has two identifiers (record number, SSN) and the same gender column.
      assert.equal(await secondId.inputValue(), "SSN");
      assert.equal(await gender.inputValue(), "GENDER");
      await Promise.all([
        reposted(),
        page.getByRole("radio", { name: /^Synthea columns/ }).check(),
      ]);
      await page.waitForLoadState("load");
      assert.equal(await secondId.inputValue(), "Id");
      await page.getByText("20 of 20", { exact: true }).first().waitFor();
      await page.evaluate(() => ((globalThis as Record<string, unknown>).stayed = true));
      await gender.selectOption("MARITAL");
      const status = page.locator("[data-preview-status='fhir-patient']");
      await status.getByText(/Preview updated/).waitFor();
      const pane = page.locator("[data-preview-for='fhir-patient']");
      await pane.getByText('cannot map value to male | female | other | unknown ("S")').first()
        .waitFor();
      assert.equal(
        await page.evaluate(() => (globalThis as Record<string, unknown>).stayed),
        true,
      );
      // A value map repairs it, still without a reload.
      await page.getByRole("textbox", { name: "Gender row 1: value in your file" }).fill("S");
      await page.getByRole("combobox", { name: "Gender row 1: becomes" }).selectOption("unknown");
      await pane.getByText("20 of 20", { exact: true }).waitFor();
      // Back to the gender column for the run (the map stays: GENDER has no "S"), and the
      // default NDJSON output.
      await gender.selectOption("GENDER");
      await pane.getByText("20 of 20", { exact: true }).waitFor();
      assert.equal(await page.getByRole("radio", { name: /^NDJSON/ }).isChecked(), true);
      // The preview pane sticks to the top of the window: start the full-page picture there.
      await page.evaluate(() => scrollTo(0, 0));
      await screenshot(page, "wizard-2-transform");
      await page.getByRole("button", { name: "Next" }).click();

      // Step 3: a file in the clinic's own files.
      await page.waitForURL(`${base}/repository`);
      const path = page.getByLabel("File name");
      assert.equal(await path.inputValue(), "patients.ndjson");
      await path.fill("synthea/Patient.ndjson");
      await screenshot(page, "wizard-3-repository");
      await page.getByRole("button", { name: "Next" }).click();

      // Step 4: the basic report, on by default.
      await page.waitForURL(`${base}/analytics`);
      assert.equal(
        await page.getByLabel("Make the basic report after each run").isChecked(),
        true,
      );
      await screenshot(page, "wizard-4-analytics");
      await page.getByRole("button", { name: "Next" }).click();

      // Step 5: the summary, a name and a schedule read back in words.
      await page.waitForURL(`${base}/review`);
      await page.getByText(
        "Read patients.csv (115 rows), turn each row into a FHIR Patient with the Synthea mapping, write NDJSON to synthea/Patient.ndjson in your files, and make a basic report.",
      ).waitFor();
      await page.getByLabel("Pipeline name").fill("Synthea patients");
      await page.getByRole("textbox", { name: /Run on a schedule/ }).fill("30 2 * * *");
      await page.getByRole("button", { name: "Read it back" }).click();
      await page.getByText("Every day at 02:30 UTC.").waitFor();
      await screenshot(page, "wizard-5-review");

      // The same pages on a phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "wizard-5-review-phone");
      await page.goto(`${base}/transform`);
      await page.getByText("20 of 20", { exact: true }).first().waitFor();
      await page.evaluate(() => scrollTo(0, 0));
      await screenshot(page, "wizard-2-transform-phone");
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${base}/review`);

      // Save & run: the webhook secret once, and the run.
      await page.getByRole("button", { name: "Save & run" }).click();
      await page.getByRole("heading", { name: "Pipeline saved" }).waitFor();
      await page.getByText("Copy these now.").waitFor();
      await screenshot(page, "wizard-6-saved");
      const secret = await page.locator("code.secret-value").textContent();
      assert.match(secret ?? "", /^\S{20,}$/);
      const href = await page.getByRole("link", { name: "Watch the run" }).getAttribute("href");
      const runId = /^\/app\/runs\/(.+)$/.exec(href ?? "")![1];
      const run = await waitForRun(portal, tenant, runId);
      assert.equal(run.status, "succeeded", JSON.stringify(run));
      const out = await Deno.readTextFile(
        join(portal.dir, "out", tenant, "synthea", "Patient.ndjson"),
      );
      const lines = out.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.length, 115);
      assert.ok(lines.every((r) => r.resourceType === "Patient"));
      await page.getByRole("link", { name: "Watch the run" }).click();
      await page.waitForURL(`${portal.url}${href}`);
    }),
);
