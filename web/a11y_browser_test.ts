/**
 * Issue 6's quality bar, checked in Chromium on every page at 1280 px and on a 390 px phone:
 * WCAG AA text contrast, a name on every form control, no sideways scrolling, unique ids, and a
 * keyboard path from "Skip to content" to the page's main action with a visible focus ring.
 * The pages hold real data: a pipeline with two finished runs of the Synthea patients CSV, a
 * saved connection, an API token, an invite and a wizard draft whose source is that CSV.
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startPipelineRun } from "../pipelines/start.ts";
import { createPipeline } from "../pipelines/store.ts";
import { runKeys, type RunRecord } from "../runs/run_record.ts";
import {
  screenshot,
  startTestPortal,
  type TestPortal,
  uploadInBrowser,
  withBrowser,
} from "./_browser.ts";
import { copyPatients, SYNTHEA_PATIENTS } from "./wizard/_steps_testing.ts";

/**
 * Runs inside the page: every problem of contrast, names of controls, sideways scrolling and
 * ids, as sentences naming the element. Self-contained (Playwright sends its source).
 */
function auditPage(): string[] {
  type Rgba = { r: number; g: number; b: number; a: number };
  const problems: string[] = [];
  const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };
  const parse = (s: string): Rgba | undefined => {
    const m = /rgba?\(([^)]+)\)/.exec(s);
    if (!m) return undefined;
    const [r, g, b, a] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a: a ?? 1 };
  };
  const over = (top: Rgba, below: Rgba): Rgba => ({
    r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c: Rgba) => {
    const f = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (x: Rgba, y: Rgba) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c: Rgba) =>
    "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  /** The first opaque background up the tree, with the translucent ones above it laid on. */
  const backgroundOf = (el: Element | null): Rgba => {
    const layers: Rgba[] = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    return layers.reverse().reduce((below, top) => over(top, below), WHITE);
  };
  const opacityOf = (el: Element) => {
    let o = 1;
    for (let e: Element | null = el; e; e = e.parentElement) {
      o *= Number(getComputedStyle(e).opacity);
    }
    return o;
  };
  const describe = (el: Element) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className
      ? `.${el.className.trim().split(/\s+/).join(".")}`
      : "";
    const text = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim()
      .replace(/\s+/g, " ").slice(0, 50);
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const shown = (el: Element) => {
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1 &&
      el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  };
  const check = (el: Element, fgCss: string, bg: Rgba, what: string, pseudo?: string) => {
    const s = getComputedStyle(el, pseudo);
    const fg = parse(fgCss);
    if (!fg) return;
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    const seen = over({ ...fg, a: fg.a * opacityOf(el) }, bg);
    const got = ratio(seen, bg);
    if (got < need) {
      problems.push(
        `${what} ${describe(el)} has contrast ${got.toFixed(2)}:1 (${hex(seen)} on ${
          hex(bg)
        }, ${size}px), below ${need}:1`,
      );
    }
  };

  // 1. Contrast of every visible element with text of its own (and of form controls' values).
  const SKIP = new Set(["SCRIPT", "STYLE", "TITLE", "OPTION", "NOSCRIPT", "TEMPLATE"]);
  for (const el of Array.from(document.body.querySelectorAll("*"))) {
    if (SKIP.has(el.tagName) || el.closest("svg") || !shown(el)) continue;
    if (el.closest(":disabled, [aria-disabled='true']")) continue;
    const ownText = Array.from(el.childNodes).some((n) =>
      n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== ""
    );
    const value = el instanceof HTMLSelectElement ||
      (el instanceof HTMLInputElement && el.value !== "" &&
        !["checkbox", "radio", "file", "hidden", "range", "color", "submit", "button"]
          .includes(el.type)) ||
      (el instanceof HTMLTextAreaElement && el.value !== "");
    if (ownText || value) check(el, getComputedStyle(el).color, backgroundOf(el), "Text");
    // Text the stylesheet adds, and the hint shown in an empty field.
    for (const pseudo of ["::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      if (/^(".*\S.*"|attr\()/.test(s.content) && s.display !== "none") {
        check(el, s.color, backgroundOf(el), `Text ${pseudo} of`, pseudo);
      }
    }
    const hint = el.getAttribute("placeholder");
    if (hint && (el as HTMLInputElement).value === "") {
      const s = getComputedStyle(el, "::placeholder");
      check(el, s.color, backgroundOf(el), "Placeholder of", "::placeholder");
    }
  }
  // SVG text against what is behind the chart.
  for (const el of Array.from(document.querySelectorAll("svg text"))) {
    if (!shown(el) || (el.textContent ?? "").trim() === "") continue;
    check(el, getComputedStyle(el).fill, backgroundOf(el.closest("svg")), "Chart text");
  }

  // 2. A name on every control.
  for (const el of Array.from(document.querySelectorAll("input, select, textarea"))) {
    if (el instanceof HTMLInputElement && el.type === "hidden") continue;
    const control = el as HTMLInputElement;
    const labelled = (control.labels?.length ?? 0) > 0 ||
      (el.getAttribute("aria-label") ?? "").trim() !== "" ||
      (el.getAttribute("aria-labelledby") ?? "").split(/\s+/).some((id) =>
        id !== "" && (document.getElementById(id)?.textContent ?? "").trim() !== ""
      );
    if (!labelled) {
      problems.push(
        `<${el.tagName.toLowerCase()} name="${control.name}" id="${control.id}"> has no label`,
      );
    }
  }

  // 3. No sideways scrolling of the page (tables scroll inside their own .table-wrap).
  const width = document.documentElement.scrollWidth;
  if (width > innerWidth + 1) {
    const wide = Array.from(document.body.querySelectorAll("*")).filter((el) => {
      const r = el.getBoundingClientRect();
      return r.right > innerWidth + 1 && r.width > 0 && el.parentElement &&
        el.parentElement.getBoundingClientRect().right <= innerWidth + 1;
    }).slice(0, 3).map(describe);
    problems.push(
      `the page is ${width}px wide in a ${innerWidth}px window; too wide: ${wide.join(", ")}`,
    );
  }

  // 4. Unique ids.
  const ids = new Map<string, number>();
  for (const el of Array.from(document.querySelectorAll("[id]"))) {
    ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
  }
  for (const [id, n] of ids) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  return problems;
}

/** Runs inside the page: the focused element's name and whether its focus ring shows. */
function focused(): { name: string; ring: boolean } {
  const el = document.activeElement as HTMLElement | null;
  if (!el || el === document.body) return { name: "(nothing)", ring: false };
  const s = getComputedStyle(el);
  const name = (el.getAttribute("aria-label") ?? el.innerText ?? "").trim() ||
    (el as HTMLInputElement).value || el.tagName;
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return { name: name.replace(/\s+/g, " "), ring: outline || s.boxShadow !== "none" };
}

/** Tab from the top: the skip link first, then `action` within 40 Tabs, with a focus ring. */
async function keyboardProblems(page: Page, action: RegExp): Promise<string[]> {
  const problems: string[] = [];
  await page.keyboard.press("Tab");
  const first = await page.evaluate(focused);
  if (first.name !== "Skip to content") {
    problems.push(`the first Tab reaches "${first.name}", not "Skip to content"`);
  }
  if (!first.ring) problems.push(`"Skip to content" shows no focus indicator`);
  const path: string[] = [];
  for (let i = 0; i < 40; i++) {
    const now = await page.evaluate(focused);
    path.push(now.name.slice(0, 30));
    if (action.test(now.name)) {
      if (!now.ring) problems.push(`"${now.name}" shows no focus indicator`);
      return problems;
    }
    await page.keyboard.press("Tab");
  }
  problems.push(`40 Tabs do not reach ${action}; they go ${path.join(" → ")}`);
  return problems;
}

/** Every check of one page at both widths; problems are collected in `found`. */
async function checkPage(
  page: Page,
  portal: TestPortal,
  found: string[],
  view: { name: string; path: string; action: RegExp },
) {
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.goto(`${portal.url}${view.path}`);
    // Islands (live run status, previews) fill in after load; pages without one are done.
    if (await page.locator("script[type=module]").count() > 0) {
      await page.waitForLoadState("networkidle", { timeout: 3_000 }).catch(() => {});
    }
    const where = `${view.name} at ${width} px`;
    for (const p of await page.evaluate(auditPage)) found.push(`${where}: ${p}`);
    await screenshot(page, `a11y-${view.name.replace(/\W+/g, "-")}-${width}`);
    for (const p of await keyboardProblems(page, view.action)) found.push(`${where}: ${p}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function waitForRun(portal: TestPortal, tenant: string, id: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const run = (await portal.deps.kv.get<RunRecord>(runKeys.run(tenant, id))).value;
    if (run?.status === "succeeded") return;
    assert.ok(!run || ["queued", "running"].includes(run.status), JSON.stringify(run));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not end within 30 s`);
}

/** The Synthea patients example, reading the CSV from the tenant's own files. */
const SPEC = {
  version: 1,
  name: "synthea-patients",
  source: { type: "csv", path: "patients.csv" },
  transforms: [{ type: "fhir-patient", preset: "synthea" }],
  output: { format: "ndjson" },
  repository: { type: "file", path: "synthea/Patient.ndjson" },
  options: { maxRejected: 100 },
};

Deno.test({
  name:
    "browser: every page passes contrast, labels, no sideways scroll, unique ids and keyboard checks at 1280 and 390 px",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const portal = await startTestPortal();
    const found: string[] = [];
    try {
      await withBrowser(async (page) => {
        const check = (name: string, path: string, action: RegExp) =>
          checkPage(page, portal, found, { name, path, action });
        await check("sign-in", "/signin", /^Sign in$/);
        await check("sign-up", "/signup", /^Create account$/);

        await page.goto(`${portal.url}/signup`);
        await page.getByLabel("Organisation").fill("Northgate Family Practice");
        await page.getByLabel("Your email").fill("sam@northgate.example");
        await page.getByLabel("Password").fill("correct horse battery staple");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.waitForURL(`${portal.url}/app`);
        const session = await (await page.request.get(`${portal.url}/auth/session`)).json();
        const tenant: string = session.tenant.id;

        // A pipeline with two finished runs (the second compares with the first).
        await copyPatients(portal.deps.inputRoot, tenant);
        const pipeline = await createPipeline(portal.deps.kv, tenant, SPEC, new Date(), {
          schedule: "30 2 * * *",
          secrets: portal.deps.secrets,
        });
        const runs: string[] = [];
        for (let i = 0; i < 2; i++) {
          const run = await startPipelineRun(portal.deps, tenant, pipeline.spec, {
            pipelineId: pipeline.id,
            trigger: "api",
            by: "sam@northgate.example",
          });
          await waitForRun(portal, tenant, run.id);
          runs.push(run.id);
        }
        // A saved connection, an API token and an open invite.
        await page.goto(`${portal.url}/app/connections/new`);
        await page.getByRole("radio", { name: /MySQL \/ MariaDB table/ }).first().check();
        await page.getByRole("button", { name: "Continue" }).click();
        await page.getByLabel("Name", { exact: true }).fill("EMR database");
        await page.getByLabel("Server", { exact: true }).fill("emr.northgate.example");
        await page.getByLabel("Database", { exact: true }).fill("emr");
        await page.getByLabel("User name").fill("reader");
        await page.getByLabel("Password").fill("a-long-enough-password-1");
        await page.getByRole("button", { name: "Save connection" }).click();
        await page.getByText("Saved.").waitFor();
        await page.goto(`${portal.url}/app/tokens`);
        await page.getByLabel("Name").fill("nightly export");
        await page.getByRole("button", { name: "Create token" }).click();
        await page.getByLabel("The token").waitFor();
        await page.goto(`${portal.url}/app/members`);
        await page.getByRole("button", { name: "Create invite link" }).click();
        await page.getByLabel("Invite link").waitFor();

        await check("home", "/app", /^New pipeline$/);
        // Runs are listed by the start of their id.
        await check("runs", "/app/runs", new RegExp(`^${runs[1].slice(0, 8)}$`));
        await check("run", `/app/runs/${runs[1]}`, /^Report$/);
        await check("run report", `/app/runs/${runs[1]}/report`, /^Download CSV$/);
        await check("tenant report", "/app/report", /^Save threshold$/);
        await check("pipeline", `/app/pipelines/${pipeline.id}`, /^Run now$/);
        await check("connections", "/app/connections", /^New connection$/);
        await check("members", "/app/members", /^Create invite link$/);
        await check("tokens", "/app/tokens", /^Create token$/);
        await check("audit", "/app/audit", /^run /);

        // The wizard, walked with Next after uploading the CSV on its first step.
        await page.goto(`${portal.url}/app/pipelines/new`);
        await page.getByRole("radio", { name: /CSV file/ }).check();
        await page.getByRole("button", { name: "Continue" }).click();
        await uploadInBrowser(page, SYNTHEA_PATIENTS);
        await page.getByRole("heading", { name: "Preview: the first 20 rows" }).waitFor();
        const id = /new\/([0-9a-f]{24})\//.exec(page.url())![1];
        const base = `/app/pipelines/new/${id}`;
        const steps = ["source", "transform", "repository", "analytics", "review"];
        for (const [i, step] of steps.entries()) {
          const last = i === steps.length - 1;
          await check(`wizard ${step}`, `${base}/${step}`, last ? /^Save & run$/ : /^Next$/);
          if (last) break;
          await page.goto(`${portal.url}${base}/${step}`);
          await page.getByRole("button", { name: "Next", exact: true }).click();
          await page.waitForLoadState("load");
          assert.equal(
            page.url(),
            `${portal.url}${base}/${steps[i + 1]}`,
            `Next on the ${step} step: ${await page.locator(".alert, .error").allInnerTexts()}`,
          );
        }
      });
    } catch (err) {
      // What the pages visited so far showed, to fix it together with the error.
      if (found.length > 0) console.error(found.join("\n"));
      throw err;
    } finally {
      await portal.close();
    }
    assert.deepEqual(found, [], `\n${found.join("\n")}`);
  },
});

Deno.test({
  name:
    "browser: the page checks find pale text, an unlabelled field, a too wide block and a repeated id",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withBrowser(async (page) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.setContent(`<!doctype html><html><body style="margin:0">
        <p style="color:#999">Pale grey on white</p>
        <p style="color:#767676">Just dark enough</p>
        <h1 style="color:#949494;font-size:24px">Large pale heading</h1>
        <div style="background:#0b5c6b"><span style="color:#084652">Dark on dark</span></div>
        <button disabled style="color:#ccc">Disabled</button>
        <label>Wrapped <input name="a"></label>
        <input name="b" id="b"><select aria-label="Named"><option>x</option></select>
        <div style="width:600px" id="wide">Wide</div><span id="wide">Again</span>
        <style>.tag::before { content: "Note: "; color: #aaa } ::placeholder { color: #bbb }</style>
        <p class="tag">the stylesheet's words</p>
        <input aria-label="Empty" placeholder="e.g. 30 2 * * *">
      </body></html>`);
      const found = await page.evaluate(auditPage);
      const has = (pattern: RegExp) =>
        assert.ok(found.some((p) => pattern.test(p)), `${pattern} not in ${found.join("\n")}`);
      has(/^Text <p> "Pale grey on white" has contrast 2\.85:1/);
      has(/^Text <span> "Dark on dark" has contrast 1\.\d+:1/);
      has(/^<input name="b" id="b"> has no label$/);
      has(/^the page is 600px wide in a 390px window; too wide: <div#wide> "Wide"$/);
      has(/^id "wide" is used 2 times$/);
      has(/^Text ::before of <p\.tag> "the stylesheet's words" has contrast 2\.32:1/);
      has(/^Placeholder of <input> "Empty" has contrast 1\.\d+:1/);
      assert.equal(found.length, 7, found.join("\n"));
    });
  },
});
