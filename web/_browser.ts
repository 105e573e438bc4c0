/**
 * Browser tests' harness: the real portal served on a loopback port (in-memory KV, the run
 * engine consuming steps on this thread, per-tenant files in a temp folder, the vault, sessions)
 * and Debian's Chromium driven by `playwright-core`. Screenshots go to `SCREENSHOT_DIR`
 * (default `out/screenshots/`), which CI keeps.
 * @module
 */
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { createApp } from "../app.ts";
import { openConnection } from "../connections/mod.ts";
import { specSecrets } from "../pipelines/spec_secrets.ts";
import { kvTokens } from "../routes/api_tokens.ts";
import { type EngineDeps, startWorker } from "../runs/engine.ts";
import { createKvQueue } from "../runs/kv_queue.ts";
import { randomMasterKey } from "../vault/_testing.ts";
import { createVault } from "../vault/vault.ts";
import { buildIslands } from "./build.ts";
import { createSessionStore } from "./sessions.ts";

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** A running portal for one browser test. */
export interface TestPortal {
  url: string;
  deps: EngineDeps;
  /** The temp folder holding `in/` (inputs) and `out/` (outputs), per tenant. */
  dir: string;
  close(): Promise<void>;
}

/** Serve the whole portal on 127.0.0.1 with a random port. */
export async function startTestPortal(
  options: { allowPrivateNetwork?: boolean } = {},
): Promise<TestPortal> {
  const kv = await Deno.openKv(":memory:");
  const queue = createKvQueue(kv);
  const dir = await Deno.makeTempDir({ prefix: "pyx_browser_" });
  const vault = createVault(kv, await randomMasterKey());
  const deps: EngineDeps = {
    kv,
    queue,
    inputRoot: join(dir, "in"),
    outputRoot: join(dir, "out"),
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    budget: { rows: 5_000, ms: 1_000 },
    tenantFiles: true,
    analyticsRoot: join(dir, "analytics"),
    secrets: specSecrets(vault, { connection: (t, id) => openConnection(kv, vault, t, id) }),
  };
  const app = createApp({
    engine: deps,
    auth: kvTokens(kv),
    vault,
    sessions: createSessionStore(kv),
    log: () => {},
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const stopWorker = startWorker(deps);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    deps,
    dir,
    async close() {
      await server.shutdown();
      await stopWorker();
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * A browser test: a `Deno.test` with the resource and op sanitizers off, because Chromium's
 * pipes and the served portal live across awaits that the sanitizers would count as leaks.
 */
export function browserTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, sanitizeResources: false, sanitizeOps: false, fn });
}

/** Start a portal, run `fn` with a fresh Chromium page on it, and close the portal after. */
export async function withPortal(
  fn: (page: Page, portal: TestPortal, browser: Browser) => Promise<void>,
  options: { allowPrivateNetwork?: boolean } = {},
): Promise<void> {
  const portal = await startTestPortal(options);
  try {
    await withBrowser((page, browser) => fn(page, portal, browser));
  } finally {
    await portal.close();
  }
}

/** The password browser tests sign up with (long enough for the sign-up form). */
export const TEST_PASSWORD = "correct horse battery staple";

/**
 * Sign a new organisation up on `/signup` and wait for its home at `/app`. Without `email`, the
 * owner is `data@<organisation as a slug>.example`.
 */
export async function signUpInBrowser(
  page: Page,
  baseUrl: string,
  organisation: string,
  email = `data@${organisation.toLowerCase().replace(/\W+/g, "-")}.example`,
): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Organisation").fill(organisation);
  await page.getByLabel("Your email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${baseUrl}/app`);
}

/** The signed-in browser's session, as the JSON API needs it. */
export interface BrowserSession {
  tenant: string;
  /** Headers a write through the API needs with the session cookie: CSRF token and Origin. */
  headers: Record<string, string>;
}

/** Read the signed-in page's session from `/auth/session`, for calls to the JSON API. */
export async function browserSession(page: Page, baseUrl: string): Promise<BrowserSession> {
  const session = await (await page.request.get(`${baseUrl}/auth/session`)).json();
  return {
    tenant: session.tenant.id,
    headers: { "X-CSRF-Token": session.csrf, Origin: baseUrl },
  };
}

/** Save a pipeline through the API as the signed-in page; returns its id. */
export async function savePipelineInBrowser(
  page: Page,
  baseUrl: string,
  session: BrowserSession,
  spec: unknown,
): Promise<string> {
  const made = await page.request.post(`${baseUrl}/api/v1/pipelines`, {
    data: { spec },
    headers: session.headers,
  });
  if (made.status() !== 201) {
    throw new Error(`Saving the pipeline answered ${made.status()}: ${await made.text()}`);
  }
  return (await made.json()).id;
}

let built: Promise<Record<string, number>> | undefined;

/** Run `fn` with a fresh Chromium page (islands built once per test process). */
export async function withBrowser(
  fn: (page: Page, browser: Browser) => Promise<void>,
): Promise<void> {
  built ??= buildIslands();
  await built;
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await fn(page, browser);
  } finally {
    // Playwright gives Chromium a new empty profile of its own each launch.
    await browser.close();
  }
}

/**
 * Choose `path` in the wizard's "Upload a file" field once the upload island listens to it: a
 * file chosen before the island's script ran would sit in the field without uploading (the
 * page's no-script form needs a button press), which under load made tests wait in vain.
 */
export async function uploadInBrowser(page: Page, path: string): Promise<void> {
  const input = page.getByLabel("Upload a file");
  await page.locator("[data-island='upload'] input[type='file'][data-ready='true']").waitFor({
    state: "attached",
  });
  await input.setInputFiles(path);
}

/**
 * Save a screenshot as `<SCREENSHOT_DIR>/<name>.png` (the full page, or with `fullPage: false`
 * what the window shows); returns its path.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  const folder = Deno.env.get("SCREENSHOT_DIR") ?? "out/screenshots";
  await Deno.mkdir(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}
