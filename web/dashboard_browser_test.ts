import assert from "node:assert/strict";
import { browserTest, screenshot, signUpInBrowser, TEST_PASSWORD, withPortal } from "./_browser.ts";

browserTest(
  "browser: sign up on the page, land on the empty home, sign out and back in",
  () =>
    withPortal(async (page, portal) => {
      await page.goto(`${portal.url}/app`);
      assert.match(page.url(), /\/signin\?next=%2Fapp$/);
      await page.getByRole("link", { name: "Create an account for your organisation" }).click();
      await page.getByLabel("Organisation").fill("Riverside Clinic");
      await page.getByLabel("Your email").fill("ana@riverside.example");
      await page.getByLabel("Password").fill("too short");
      await page.getByRole("button", { name: "Create account" }).click();
      // The browser's own check stops a 9-character password before it is sent.
      assert.match(page.url(), /\/signup$/);
      await signUpInBrowser(page, portal.url, "Riverside Clinic", "ana@riverside.example");
      assert.equal(
        await page.getByRole("heading", { level: 1 }).textContent(),
        "Riverside Clinic",
      );
      await screenshot(page, "home-empty");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByText("You are signed out.").waitFor();
      await page.goto(`${portal.url}/signin`);
      await page.getByLabel("Email").fill("ana@riverside.example");
      await page.getByLabel("Password").fill("wrong password here");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("The email or password is not right").waitFor();
      await page.getByLabel("Password").fill(TEST_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${portal.url}/app`);
    }),
);
