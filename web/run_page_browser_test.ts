import assert from "node:assert/strict";
import { join } from "node:path";
import {
  browserSession,
  browserTest,
  savePipelineInBrowser,
  screenshot,
  signUpInBrowser,
  withPortal,
} from "./_browser.ts";

const ROWS = 200_000;
const HEADER = "mrn,first_name,last_name,dob,sex,phone,email,street,city,state,zip,race,ethnicity";

/**
 * A clinic export of `rows` patients in the columns of the generic FHIR preset; patient 1,000
 * has the impossible birth date 1994-02-30.
 */
async function writeBigCsv(path: string, rows: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  await file.write(
    enc.encode(`${HEADER}\n`),
  );
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const dob = i === 1_000 ? "1994-02-30" : `19${50 + (i % 50)}-0${(i % 9) + 1}-${day}`;
    chunk += `MRN-${i},Name${i},Family${i % 997},${dob},${i % 2 ? "F" : "M"},555-0100,` +
      `p${i}@example.org,${i} Elm St,Boston,MA,02118,White,Not Hispanic\n`;
    if (chunk.length > 1_000_000) {
      await file.write(enc.encode(chunk));
      chunk = "";
    }
  }
  await file.write(enc.encode(chunk));
  file.close();
}

browserTest(
  "browser: the run page follows a run live to succeeded, shows the funnel, downloads the output",
  () =>
    withPortal(async (page, portal) => {
      await signUpInBrowser(page, portal.url, "Lakeside Family Practice", "maria@lakeside.example");

      // The signed-in browser's session, for the JSON API (cookie + CSRF header).
      const session = await browserSession(page, portal.url);
      await Deno.mkdir(join(portal.dir, "in", session.tenant), { recursive: true });
      await writeBigCsv(join(portal.dir, "in", session.tenant, "patients.csv"), ROWS);
      const id = await savePipelineInBrowser(page, portal.url, session, {
        version: 1,
        name: "All patients",
        source: { type: "csv", path: "patients.csv" },
        transforms: [{ type: "normalize", types: { dob: "date" } }],
        output: { format: "csv" },
        repository: { type: "file", path: "exports/patients.csv" },
      });

      // 1,000 rows a step (the portal's default is 5,000): 200 steps, so the run lasts a few
      // seconds and the page can be watched while it runs.
      portal.deps.budget = { rows: 1_000, ms: 1_000 };

      // Run now from the pipeline page lands on the run page while the run is under way.
      await page.goto(`${portal.url}/app/pipelines/${id}`);
      await page.getByRole("button", { name: "Run now" }).click();
      await page.waitForURL(/\/app\/runs\/[\w-]+\?done=started$/);
      const badge = page.locator(".run-status-title .badge");
      assert.match((await badge.textContent()) ?? "", /^(queued|running)$/);
      // Marks this document: if the page reloaded, the mark would be gone.
      await page.evaluate(() => Object.assign(globalThis, { stayedOnPage: true }));
      // A fast machine may finish before a poll sees "running": then there is no picture of it.
      await page.locator("#run-progress-label", { hasText: "rows read so far" })
        .or(page.locator(".run-status-title .badge", { hasText: "succeeded" }))
        .waitFor({ timeout: 60_000 });
      if (await page.locator("#run-progress-label").isVisible()) {
        await screenshot(page, "run-page-running");
      }
      await page.locator(".run-status-title .badge", { hasText: "succeeded" })
        .waitFor({ timeout: 120_000 });
      assert.equal(await page.evaluate(() => "stayedOnPage" in globalThis), true);

      assert.equal(
        await page.locator(".funnel-sentence").textContent(),
        "200,000 rows read: 199,999 written, 1 rejected at normalize.",
      );
      const count = (stage: string) =>
        page.locator(`[data-stage="${stage}"] .funnel-count`).textContent();
      assert.equal(await count("read"), "200,000");
      assert.equal(await count("normalized"), "199,999");
      assert.equal(await count("written"), "199,999");
      assert.equal(await count("rejected"), "1");
      await screenshot(page, "run-page-live-end");

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Download the output file" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), "patients.csv");
      const lines = (await Deno.readTextFile((await download.path())!)).trimEnd().split("\r\n");
      assert.equal(lines.length, ROWS, "a header and one line per usable row");
      assert.equal(lines[0], HEADER);
      assert.equal(lines[1].slice(0, 31), "MRN-1,Name1,Family1,1951-02-02,");
      assert.equal(lines.some((l) => l.startsWith("MRN-1000,")), false, "the rejected row");

      // Reloaded, the finished run shows the rejected row and the manifest too.
      await page.reload();
      await page.getByRole("heading", { name: "Rows that could not be used" }).waitFor();
      await page.getByRole("cell", { name: "patients.csv, line 1001" }).waitFor();
      await screenshot(page, "run-page");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "run-page-phone");
      await page.setViewportSize({ width: 1280, height: 900 });

      await page.goto(`${portal.url}/app/pipelines/${id}`);
      await screenshot(page, "pipeline-page");

      await page.goto(`${portal.url}/app/members`);
      await page.getByLabel("Their role").selectOption("viewer");
      await page.getByRole("button", { name: "Create invite link" }).click();
      await page.getByLabel("Invite link").waitFor();
      await screenshot(page, "members");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "members-phone");
      await page.setViewportSize({ width: 1280, height: 900 });

      await page.getByRole("link", { name: "API tokens" }).click();
      await page.getByLabel("Name").fill("nightly export");
      await page.getByRole("button", { name: "Create token" }).click();
      await page.getByLabel("The token").waitFor();
      await screenshot(page, "tokens");

      await page.getByRole("link", { name: "Audit log" }).click();
      await page.getByRole("cell", { name: "Created an API token" }).waitFor();
      await page.getByRole("cell", { name: "Downloaded a run's output" }).waitFor();
      await screenshot(page, "audit");
    }),
);
