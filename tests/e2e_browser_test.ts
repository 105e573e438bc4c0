/**
 * The dashboard end to end in Chromium, as a clinic's data manager uses it (issue 6):
 * 1. sign up; upload Synthea's patients.csv; walk every wizard step to FHIR Patient NDJSON in the
 *    tenant's files; save & run; watch the run page reach "succeeded" without reloading; download
 *    the output and check it; open the report.
 * 2. a MariaDB table → normalise → PostgreSQL upsert, set up entirely in the wizard (Test
 *    connection on both sides, the table picked from the list); a second run leaves the same rows.
 * Screenshots of each step go to out/screenshots/ (e2e-*.png).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import postgres from "postgres";
import type { Page } from "playwright-core";
import {
  browserTest,
  screenshot,
  signUpInBrowser,
  uploadInBrowser,
  withPortal,
} from "../web/_browser.ts";

const PATIENTS = fileURLToPath(new URL("../data/samples/synthea/patients.csv", import.meta.url));

/** On the run page: wait (no reload) until the status badge says `status`. */
async function waitForStatus(page: Page, status: string) {
  await page.locator(".badge", { hasText: status }).first().waitFor({ timeout: 60_000 });
}

browserTest(
  "browser e2e: uploaded Synthea patients.csv → every wizard step → FHIR Patient NDJSON, run, download, report",
  () =>
    withPortal(async (page, portal) => {
      await signUpInBrowser(page, portal.url, "Harbour Clinic");
      await page.getByRole("link", { name: "New pipeline" }).click();
      await page.getByRole("heading", { name: "Where is your data?" }).waitFor();
      await page.getByRole("radio", { name: /CSV file/ }).check();
      await page.getByRole("button", { name: /Continue|Use this type of data/ }).click();
      await uploadInBrowser(page, PATIENTS);
      await page.getByRole("heading", { name: "Preview: the first 20 rows" }).waitFor();
      assert.equal(await page.locator(".preview-table tbody tr").count(), 20);
      await screenshot(page, "e2e-1-source");
      await page.getByRole("button", { name: "Next" }).click();

      await page.waitForURL(/\/transform$/);
      assert.equal(await page.getByRole("radio", { name: /^FHIR Patient/ }).isChecked(), true);
      await page.getByText("20 of 20", { exact: true }).first().waitFor();
      assert.equal(await page.getByRole("radio", { name: /^NDJSON/ }).isChecked(), true);
      await screenshot(page, "e2e-2-transform");
      await screenshot(page, "readme-wizard-mapping", { fullPage: false });
      await page.getByRole("button", { name: "Next" }).click();

      await page.waitForURL(/\/repository$/);
      await page.getByLabel("File name").fill("synthea/Patient.ndjson");
      await screenshot(page, "e2e-3-repository");
      await page.getByRole("button", { name: "Next" }).click();

      await page.waitForURL(/\/analytics$/);
      assert.equal(
        await page.getByLabel("Make the basic report after each run").isChecked(),
        true,
      );
      await screenshot(page, "e2e-4-analytics");
      await page.getByRole("button", { name: "Next" }).click();

      await page.waitForURL(/\/review$/);
      await page.getByLabel("Pipeline name").fill("Synthea patients");
      await screenshot(page, "e2e-5-review");
      await page.getByRole("button", { name: "Save & run" }).click();
      await page.getByRole("heading", { name: "Pipeline saved" }).waitFor();
      await page.getByRole("link", { name: "Watch the run" }).click();

      await page.waitForURL(/\/app\/runs\/[0-9a-f-]+$/);
      // The island updates the page in place: a marker set now must survive until the end.
      await page.evaluate(() => document.body.setAttribute("data-e2e-marker", "1"));
      await waitForStatus(page, "succeeded");
      assert.equal(await page.evaluate(() => document.body.getAttribute("data-e2e-marker")), "1");
      await page.getByText(/115 rows read: 115 written/).waitFor();
      await screenshot(page, "e2e-6-run");
      await screenshot(page, "readme-run", { fullPage: false });

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: /Download/ }).first().click(),
      ]);
      const text = await Deno.readTextFile(await download.path());
      const resources = text.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(resources.length, 115);
      assert.ok(resources.every((r) => r.resourceType === "Patient"));
      assert.ok(resources.every((r) => ["male", "female"].includes(r.gender)));

      await page.locator("#main").getByRole("link", { name: "Report" }).click();
      await page.waitForURL(/\/app\/runs\/[0-9a-f-]+\/report$/);
      await page.getByRole("heading", { name: "Report of Synthea patients" }).waitFor();
      // The report counted what was written: 115 patients, by gender.
      await page.getByText("Records written").waitFor();
      assert.match(await page.locator("main").textContent() ?? "", /115/);
      await screenshot(page, "e2e-7-report");
    }),
);

browserTest(
  "browser e2e: MariaDB table → normalise → PostgreSQL upsert, set up in the wizard; a second run leaves the same rows",
  async () => {
    const name = `pyx_e2e_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const my = await mysql.createConnection({
      host: "127.0.0.1",
      user: "root",
      charset: "utf8mb4",
    });
    await my.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await my.query(
      `CREATE TABLE ${name}.clinic_patients (MRN VARCHAR(20) PRIMARY KEY, \`First Name\` VARCHAR(50),
       DOB DATE, Sex CHAR(1), ZIP VARCHAR(10)) DEFAULT CHARSET=utf8mb4`,
    );
    const rows = Array.from({ length: 40 }, (_, i) => [
      `M-${1000 + i}`,
      i === 7 ? "  Zoë  " : `Name ${i}`,
      `19${50 + i}-0${1 + (i % 9)}-1${i % 10}`,
      i % 2 ? "F" : "M",
      `0${2100 + i}`,
    ]);
    await my.query(`INSERT INTO ${name}.clinic_patients VALUES ?`, [rows]);
    const admin = postgres({
      host: "127.0.0.1",
      user: "postgres",
      database: "test",
      onnotice() {},
    });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const pg = postgres({ host: "127.0.0.1", user: "postgres", database: name, onnotice() {} });
    try {
      await withPortal(async (page, portal) => {
        await signUpInBrowser(page, portal.url, "Valley Practice");
        await page.getByRole("link", { name: "New pipeline" }).click();
        await page.getByRole("radio", { name: /MySQL \/ MariaDB table/ }).check();
        await page.getByRole("button", { name: "Continue" }).click();
        await page.getByLabel("Server", { exact: true }).fill("127.0.0.1");
        await page.getByLabel("Database", { exact: true }).fill(name);
        await page.getByLabel("User name").fill("root");
        await page.getByRole("button", { name: "Test connection" }).click();
        await page.locator("#connection-answer").waitFor();
        await page.getByRole("combobox", { name: "Table", exact: true }).selectOption(
          "clinic_patients",
        );
        await page.getByRole("button", { name: /preview/i }).first().click();
        await page.getByRole("heading", { name: "Preview: the first 20 rows" }).waitFor();
        await screenshot(page, "e2e-db-1-source");
        await page.getByRole("button", { name: "Next" }).click();

        await page.waitForURL(/\/transform$/);
        await page.getByRole("radio", { name: /^Clean up the rows/ }).check();
        await page.getByRole("radio", { name: /^CSV/ }).first().check().catch(() => {});
        await screenshot(page, "e2e-db-2-transform");
        await page.getByRole("button", { name: "Next" }).click();

        await page.waitForURL(/\/repository/);
        await page.getByRole("link", { name: /^PostgreSQL/ }).click();
        await page.getByLabel("Server", { exact: true }).fill("127.0.0.1");
        await page.getByLabel("Database", { exact: true }).fill(name);
        await page.getByLabel("User name").fill("postgres");
        await page.getByLabel("Table", { exact: true }).fill("patients");
        await page.getByRole("radio", { name: /^Update or add, by key/ }).check();
        await page.getByLabel("Key column(s)").fill("mrn");
        await page.getByRole("button", { name: "Test connection" }).click();
        await page.getByText(/connected|Connected|reached/).first().waitFor();
        await screenshot(page, "e2e-db-3-repository");
        await page.getByRole("button", { name: "Next" }).click();

        await page.waitForURL(/\/analytics$/);
        await page.getByRole("button", { name: "Next" }).click();
        await page.waitForURL(/\/review$/);
        await page.getByLabel("Pipeline name").fill("EMR patients to the warehouse");
        await page.getByRole("button", { name: "Save & run" }).click();
        await page.getByRole("link", { name: "Watch the run" }).click();
        await waitForStatus(page, "succeeded");
        await page.getByText(/40 rows read: 40 written/).waitFor();
        await screenshot(page, "e2e-db-4-run");

        const first =
          await pg`SELECT mrn, first_name, dob::text AS dob, zip FROM patients ORDER BY mrn`;
        assert.equal(first.length, 40);
        assert.equal(first[7].first_name, "Zoë", "normalise trimmed the name, utf8mb4 kept the ë");
        assert.equal(first[0].zip, "02100", "a ZIP code keeps its leading zero");

        // Run again from the run page: upsert by key leaves the same 40 rows.
        const firstRun = page.url();
        await page.getByRole("button", { name: "Run again" }).click();
        await page.waitForURL(/\/app\/runs\/[0-9a-f-]+\?done=started$/);
        assert.notEqual(page.url().split("?")[0], firstRun);
        await waitForStatus(page, "succeeded");
        const second = await pg`SELECT count(*)::int AS n FROM patients`;
        assert.equal(second[0].n, 40);
      }, { allowPrivateNetwork: true });
    } finally {
      await pg.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await my.query(`DROP DATABASE IF EXISTS ${name}`);
      await my.end();
    }
  },
);
