import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import {
  browserTest,
  screenshot,
  signUpInBrowser,
  uploadInBrowser,
  withPortal,
} from "../_browser.ts";

const PATIENTS = fileURLToPath(
  new URL("../../data/samples/synthea/patients.csv", import.meta.url),
);

browserTest(
  "browser: a wrong MariaDB password shows a readable error on the source step; an uploaded CSV shows its preview",
  async () => {
    const user = `pyx_web_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    const root = await mysql.createConnection({ host: "127.0.0.1", user: "root" });
    await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'the-right-password-9'`);
    await root.query(`GRANT SELECT ON test.* TO '${user}'@'%'`);
    // The portal reaches MariaDB on loopback (`allowPrivateNetwork` at the end), which a hosted
    // portal would refuse.
    try {
      await withPortal(async (page, portal) => {
        await signUpInBrowser(page, portal.url, "Lakeside Clinic", "data@lakeside.example");
        await page.getByRole("link", { name: "New pipeline" }).click();
        await page.getByRole("heading", { name: "Where is your data?" }).waitFor();

        // A database whose password is wrong: the answer is a sentence next to the form.
        await page.getByRole("radio", { name: /MySQL \/ MariaDB table/ }).check();
        await page.getByRole("button", { name: "Continue" }).click();
        await page.getByLabel("Server", { exact: true }).fill("127.0.0.1");
        await page.getByLabel(/^Port/).fill("3306");
        await page.getByLabel("Database", { exact: true }).fill("test");
        await page.getByLabel("User name").fill(user);
        await page.getByLabel("Password").fill("a-wrong-password-1");
        await page.getByRole("button", { name: "Test connection" }).click();
        const answer = page.locator("#connection-answer");
        await answer.waitFor();
        const text = await answer.textContent();
        assert.match(
          text ?? "",
          new RegExp(
            `Could not connect\\. The server at 127\\.0\\.0\\.1:3306 refused user "${user}"`,
          ),
        );
        assert.doesNotMatch(await page.content(), /a-wrong-password-1/);
        assert.equal(await page.getByLabel("Server", { exact: true }).inputValue(), "127.0.0.1");
        await screenshot(page, "wizard-1-test-connection-error");

        // A CSV through the upload island: progress, then the preview of 20 rows.
        await page.locator("details.type-switch > summary").click();
        await page.getByRole("radio", { name: /CSV file/ }).check();
        await page.getByRole("button", { name: "Use this type of data" }).click();
        await uploadInBrowser(page, PATIENTS);
        await page.getByRole("heading", { name: "Preview: the first 20 rows" }).waitFor();
        assert.equal(await page.locator(".preview-table tbody tr").count(), 20);
        assert.equal(await page.getByLabel("Type of BIRTHDATE").inputValue(), "date");
        assert.match(await page.locator(".current-file").textContent() ?? "", /patients\.csv/);
        await screenshot(page, "wizard-1-source");
        await page.setViewportSize({ width: 390, height: 844 });
        await screenshot(page, "wizard-1-source-phone");

        await page.setViewportSize({ width: 1280, height: 900 });
        await page.getByRole("button", { name: "Next" }).click();
        await page.waitForURL(/\/transform$/);

        // The same database saved as a connection: its password is never shown again.
        await page.getByRole("link", { name: "Connections" }).click();
        await page.getByRole("link", { name: "New connection" }).click();
        await page.getByRole("radio", { name: /MySQL \/ MariaDB table/ }).first().check();
        await page.getByRole("button", { name: "Continue" }).click();
        await page.getByLabel("Name", { exact: true }).fill("EMR database");
        await page.getByLabel("Server", { exact: true }).fill("127.0.0.1");
        await page.getByLabel("Database", { exact: true }).fill("test");
        await page.getByLabel("User name").fill(user);
        await page.getByLabel("Password").fill("the-right-password-9");
        await page.getByRole("button", { name: "Save connection" }).click();
        await page.getByText("Saved. Use Test connection").waitFor();
        await page.getByRole("button", { name: "Test connection" }).click();
        const works = page.locator("#answer");
        await works.waitFor();
        assert.match(await works.textContent() ?? "", /^Connection works\. Connected to MariaDB/);
        assert.doesNotMatch(await page.content(), /the-right-password-9/);
        await screenshot(page, "connections-edit");
        await page.getByRole("link", { name: "Connections", exact: true }).first().click();
        await page.getByRole("link", { name: "EMR database" }).waitFor();
        await screenshot(page, "connections-list");
        await page.setViewportSize({ width: 390, height: 844 });
        await screenshot(page, "connections-list-phone");
      }, { allowPrivateNetwork: true });
    } finally {
      await root.query(`DROP USER '${user}'@'%'`);
      await root.end();
    }
  },
);
