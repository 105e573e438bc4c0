import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { EXAMPLE, reportsApp, runPipeline } from "../routes/_reports_testing.ts";
import { ROOT } from "../routes/_testing.ts";
import { SESSION_COOKIE } from "../routes/principal.ts";
import {
  browserSession,
  browserTest,
  savePipelineInBrowser,
  screenshot,
  signUpInBrowser,
  withBrowser,
  withPortal,
} from "./_browser.ts";

/** Errors the page logs (a CSP violation shows up here), and failed loads but the favicon. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      errors.push(m.text());
    }
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
      errors.push(`${r.status()} ${r.url()}`);
    }
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

browserTest(
  "browser: a run's report page shows its charts and tables at 1280 and 390 px, within the CSP",
  () =>
    withPortal(async (page, portal) => {
      const errors = consoleErrors(page);
      await signUpInBrowser(page, portal.url, "Harbour Health Centre", "li@harbour.example");
      const session = await browserSession(page, portal.url);
      const folder = join(portal.dir, "in", session.tenant, "data/samples/synthea");
      await Deno.mkdir(folder, { recursive: true });
      for (const name of ["patients.csv", "immunizations.csv"]) {
        await Deno.copyFile(join(ROOT, "data/samples/synthea", name), join(folder, name));
      }
      const run = async (pipelineId: string) => {
        const started = await page.request.post(
          `${portal.url}/api/v1/pipelines/${pipelineId}/runs`,
          { headers: session.headers },
        );
        const { runId } = await started.json();
        for (let i = 0; i < 300; i++) {
          const r = await (await page.request.get(`${portal.url}/api/v1/runs/${runId}`)).json();
          if (r.status === "succeeded") return runId as string;
          assert.ok(r.status === "queued" || r.status === "running", r.error);
          await new Promise((ok) => setTimeout(ok, 100));
        }
        throw new Error("the run did not end");
      };
      const save = (spec: unknown) => savePipelineInBrowser(page, portal.url, session, spec);
      const patients = await save(EXAMPLE.patients);
      const immunizations = await save(EXAMPLE.immunizations);
      await run(patients);
      const second = await run(patients);
      const shots = await run(immunizations);

      // From the run page's Report button to the report.
      await page.goto(`${portal.url}/app/runs/${second}`);
      await page.locator("#main").getByRole("link", { name: "Report" }).click();
      await page.waitForURL(`${portal.url}/app/runs/${second}/report`);
      await page.getByRole("heading", { name: "Report of synthea-patients" }).waitFor();
      await page.getByRole("img", { name: "Patients by gender" }).waitFor();
      await page.getByText("Numbers: patients by gender").click();
      await page.getByRole("table", { name: "Patients by gender" }).waitFor();
      await page.getByRole("heading", { name: "Compared with the previous run" }).waitFor();
      assert.equal(
        await page.locator('[data-dimension="comparison"] td.count').first().textContent(),
        "0",
        "no new patients in the second run",
      );
      await screenshot(page, "report");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, "report-phone");
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      assert.ok(overflow <= 0, `the phone page scrolls sideways by ${overflow}px`);

      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${portal.url}/app/runs/${shots}/report`);
      await page.getByRole("img", { name: /Immunizations per month/ }).waitFor();
      await page.getByRole("img", { name: "Immunizations by vaccine" }).waitFor();
      await screenshot(page, "report-immunizations");
      assert.deepEqual(errors, []);
    }),
);

browserTest(
  "browser: the tenant report page with a threshold of 11 at 1280 and 390 px",
  async () => {
    // The tenant page is not mounted in the portal yet: serve the app with it in front.
    const t = await reportsApp();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.fetch);
    try {
      const owner = await t.signUp();
      await runPipeline(t, owner, EXAMPLE.patients);
      await runPipeline(t, owner, EXAMPLE.immunizations);
      await t.call("PUT", "/api/v1/settings/report", { as: owner, body: { suppressBelow: 11 } });
      const url = `http://127.0.0.1:${server.addr.port}`;
      await withBrowser(async (page, browser) => {
        const errors = consoleErrors(page);
        await page.context().addCookies([{ name: SESSION_COOKIE, value: owner.cookie, url }]);
        await page.goto(`${url}/app/report`);
        await page.getByRole("heading", { name: "Report across your pipelines" }).waitFor();
        assert.equal(await page.getByLabel("Hide counts below").inputValue(), "11");
        await page.getByRole("img", { name: "Patients by race" }).waitFor();
        await screenshot(page, "report-tenant");
        await page.setViewportSize({ width: 390, height: 844 });
        await screenshot(page, "report-tenant-phone");
        assert.deepEqual(errors, []);
        assert.ok(browser.isConnected());
      });
    } finally {
      await server.shutdown();
      await t.close();
    }
  },
);
