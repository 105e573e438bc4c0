/**
 * A test harness for accounts over HTTP: the real app with a KV session store, KV API tokens
 * (plus the operator tokens of `routes/_testing.ts`), and helpers that sign up, sign in and call
 * the app as a browser would (cookie, CSRF header, Origin).
 * @module
 */
import type { Hono } from "hono";
import { createApp } from "../app.ts";
import { createKvQueue } from "../runs/kv_queue.ts";
import type { EngineDeps } from "../runs/engine.ts";
import { anyOf, staticTokens } from "../routes/auth.ts";
import { kvTokens } from "../routes/api_tokens.ts";
import { ROOT, TOKEN_A, TOKEN_B } from "../routes/_testing.ts";
import type { AppDeps } from "../routes/deps.ts";
import { SESSION_COOKIE } from "../routes/principal.ts";
import { randomMasterKey } from "../vault/_testing.ts";
import { openConnection } from "../connections/mod.ts";
import { specSecrets } from "../pipelines/spec_secrets.ts";
import { createVault } from "../vault/vault.ts";
import { createSessionStore, type SessionOptions, type SessionStore } from "./sessions.ts";

/** A password long enough for accounts/password.ts. */
export const PASSWORD = "correct horse battery staple";

/** A signed-in browser: its session cookie value and CSRF token. */
export interface Browser {
  cookie: string;
  csrf: string;
  tenant: string;
  userId: string;
}

/** How a request is made: as a browser (`as`), with a bearer `token`, or anonymously. */
export interface CallInit {
  as?: Browser | { cookie: string; csrf?: string };
  /** Send the CSRF header (default: when `as` has one). */
  csrf?: boolean;
  token?: string;
  body?: unknown;
  /** Send the body as an HTML form instead of JSON. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** The `Origin` header: default the app's own; null sends none. */
  origin?: string | null;
}

/** The app, its KV and helpers; `close()` releases everything. */
export interface AccountsApp {
  app: Hono;
  /** What `createApp` was given, for mounting more routes beside the app in a test. */
  appDeps: AppDeps;
  kv: Deno.Kv;
  deps: EngineDeps;
  sessions: SessionStore;
  /** The app's base URL (its public URL). */
  base: string;
  call(method: string, path: string, init?: CallInit): Promise<Response>;
  /** Sign up a new organisation with a unique address; the browser is signed in. */
  signUp(email?: string): Promise<Browser & { email: string }>;
  /** Sign in (201/200 expected) and return the browser. */
  signIn(email: string, password?: string, from?: Browser): Promise<Browser>;
  close(): Promise<void>;
}

/** The value of the session cookie a response sets, or undefined. */
export function sessionCookieOf(res: Response): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * A `call` that sends the request a browser would (`Origin`, session cookie, CSRF header, a JSON
 * or form body) for `path` under `base` to `fetch`.
 */
export function browserCall(
  base: string,
  fetch: (req: Request) => Response | Promise<Response>,
): AccountsApp["call"] {
  return async (method, path, init = {}) => {
    const origin = init.origin === undefined ? base : init.origin;
    const headers: Record<string, string> = { ...(origin === null ? {} : { Origin: origin }) };
    Object.assign(headers, init.headers);
    if (init.as) {
      headers.Cookie = `${SESSION_COOKIE}=${init.as.cookie}`;
      if (init.csrf !== false && init.as.csrf) headers["X-CSRF-Token"] = init.as.csrf;
    }
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    } else if (init.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(init.body);
    }
    return await fetch(new Request(new URL(path, base), { method, headers, body }));
  };
}

/** Build an {@link AccountsApp}; `publicUrl` defaults to `https://portal.test`. */
export async function accountsApp(
  options: SessionOptions & { publicUrl?: string; tenantFiles?: boolean } = {},
): Promise<AccountsApp> {
  const kv = await Deno.openKv(":memory:");
  const queue = createKvQueue(kv);
  const out = await Deno.makeTempDir();
  const vault = createVault(kv, await randomMasterKey());
  const deps: EngineDeps = {
    kv,
    queue,
    // With tenantFiles, each tenant reads <out>/in/<tenant> and writes <out>/<tenant>.
    inputRoot: options.tenantFiles ? `${out}/in` : ROOT,
    outputRoot: out,
    allowPrivateNetwork: false,
    budget: { rows: 50, ms: 2_000 },
    tenantFiles: options.tenantFiles,
    analyticsRoot: `${out}/.analytics`,
    secrets: specSecrets(vault, {
      connection: (tenant, id) => openConnection(kv, vault, tenant, id),
    }),
  };
  const sessions = createSessionStore(kv, options);
  const base = options.publicUrl ?? "https://portal.test";
  const appDeps: AppDeps = {
    engine: deps,
    vault,
    auth: anyOf(kvTokens(kv), staticTokens({ [TOKEN_A]: "clinic-a", [TOKEN_B]: "clinic-b" })),
    sessions,
    publicUrl: base,
    log: () => {},
  };
  const app = createApp(appDeps);
  const call = browserCall(base, (req) => app.request(req));

  const browserOf = async (res: Response, expected: number): Promise<Browser> => {
    const text = await res.text();
    if (res.status !== expected) {
      throw new Error(`expected ${expected}, got ${res.status}: ${text}`);
    }
    const json = JSON.parse(text);
    const cookie = sessionCookieOf(res);
    if (!cookie) throw new Error("no session cookie was set");
    return { cookie, csrf: json.csrf, tenant: json.tenant.id, userId: json.user.id };
  };

  return {
    app,
    appDeps,
    kv,
    deps,
    sessions,
    base,
    call,
    async signUp(email = `owner-${crypto.randomUUID()}@clinic.example`) {
      const res = await call("POST", "/auth/signup", {
        body: { organisation: `Clinic ${email}`, email, password: PASSWORD },
      });
      return { ...await browserOf(res, 201), email };
    },
    async signIn(email, password = PASSWORD, from) {
      const res = await call("POST", "/auth/signin", { body: { email, password }, as: from });
      return await browserOf(res, 200);
    },
    async close() {
      await queue.close();
      kv.close();
      await Deno.remove(out, { recursive: true });
    },
  };
}

/** Run `fn` with a fresh {@link accountsApp} built with `options`, closed afterwards. */
export async function withAccountsApp(
  fn: (t: AccountsApp) => Promise<void>,
  options: Parameters<typeof accountsApp>[0] = {},
): Promise<void> {
  const t = await accountsApp(options);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}
