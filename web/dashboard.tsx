/**
 * The dashboard's page routes: sign-in, sign-up, invites and sign-out as HTML forms (they reuse
 * the `/auth` JSON routes, so the rules — rate limits, login CSRF, session rotation, audit — are
 * the same), and the signed-in pages under `/app`. Sub-routers for the wizard, runs, connections
 * and members are mounted here.
 * @module
 */
import { type Context, Hono } from "hono";
import { getTenant } from "../accounts/store.ts";
import { listPipelines } from "../pipelines/store.ts";
import { runOrigins } from "../pipelines/start.ts";
import type { AppDeps } from "../routes/deps.ts";
import { errorResponse } from "../routes/http.ts";
import { runKeys, type RunRecord } from "../runs/run_record.ts";
import { HomePage, type PipelineRow } from "./pages/HomePage.tsx";
import { InvitePage, SignInPage, SignUpPage } from "./pages/AuthPages.tsx";
import { html, type PageEnv, sessionOf, signedIn } from "./page.ts";
import { refusedPage } from "./refused.tsx";
import { wizardRoutes } from "./wizard/mod.tsx";
import { connectionsPages } from "./connections_pages.tsx";
import { membersPages } from "./members_pages.tsx";
import { pipelinePages } from "./pipeline_pages.tsx";
import { runsPages } from "./runs_pages.tsx";
import { tenantReportPage } from "./tenant_report_page.tsx";
import { uploadRoutes } from "./uploads.ts";

/** Where to go after signing in: a local path only (never another site). */
function nextPath(raw: string | undefined): string {
  return raw && /^\/app(\/[\w\-./?=&%]*)?$/.test(raw) && !raw.includes("//") ? raw : "/app";
}

/** The dashboard routes, mounted at `/`. */
export function dashboardRoutes(deps: AppDeps, authRoutes: Hono): Hono {
  const pages = new Hono();
  const kv = deps.engine.kv;
  // The JSON routes called from here answer their errors as JSON, as they do under /auth.
  const auth = new Hono().route("/", authRoutes);
  auth.onError((err, c) => errorResponse(c, err, deps.log ?? console.error));

  /** Send the form to the JSON route `path`; on success copy its cookie and go to `to`. */
  const viaAuth = async (c: Context, path: string, to: string) => {
    const req = new Request(new URL(path, c.req.url), c.req.raw);
    const res = await auth.fetch(req, c.env);
    if (res.ok) {
      for (const cookie of res.headers.getSetCookie()) {
        c.header("Set-Cookie", cookie, { append: true });
      }
      return { ok: true as const, response: c.redirect(to, 303) };
    }
    const body = await res.json().catch(() => ({}));
    return {
      ok: false as const,
      error: String(body.error ?? "That did not work; try again."),
    };
  };

  pages.get("/", async (c) => c.redirect((await sessionOf(c, deps)) ? "/app" : "/signin", 303));

  pages.get("/signin", (c) => html(c, <SignInPage next={c.req.query("next")} />));
  pages.post("/signin", async (c) => {
    const next = nextPath(c.req.query("next"));
    const form = await c.req.raw.clone().formData();
    const done = await viaAuth(c, "/signin", next);
    if (done.ok) return done.response;
    return html(
      c,
      <SignInPage error={done.error} email={String(form.get("email") ?? "")} next={next} />,
      400,
    );
  });

  pages.get("/signup", (c) => html(c, <SignUpPage />));
  pages.post("/signup", async (c) => {
    const form = await c.req.raw.clone().formData();
    const done = await viaAuth(c, "/signup", "/app");
    if (done.ok) return done.response;
    return html(
      c,
      <SignUpPage
        error={done.error}
        organisation={String(form.get("organisation") ?? "")}
        email={String(form.get("email") ?? "")}
      />,
      400,
    );
  });

  pages.get("/auth/invite/:token", (c) => html(c, <InvitePage token={c.req.param("token")} />));
  pages.post("/auth/invite/:token", async (c) => {
    const token = c.req.param("token");
    const form = await c.req.raw.clone().formData();
    const body = new URLSearchParams({
      token,
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    const req = new Request(new URL("/invites/accept", c.req.url), {
      method: "POST",
      headers: {
        ...Object.fromEntries(c.req.raw.headers),
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
    });
    const res = await auth.fetch(req, c.env);
    if (res.ok) {
      for (const cookie of res.headers.getSetCookie()) {
        c.header("Set-Cookie", cookie, { append: true });
      }
      return c.redirect("/app", 303);
    }
    const error = String((await res.json().catch(() => ({}))).error ?? "The invite did not work.");
    return html(
      c,
      <InvitePage token={token} error={error} email={String(form.get("email") ?? "")} />,
      400,
    );
  });

  pages.post("/signout", async (c) => {
    const res = await auth.fetch(new Request(new URL("/signout", c.req.url), c.req.raw), c.env);
    for (const cookie of res.headers.getSetCookie()) {
      c.header("Set-Cookie", cookie, { append: true });
    }
    if (!res.ok) return refusedPage(c, "This form has expired. Reload the page and try again.");
    return html(c, <SignInPage notice="You are signed out." />);
  });

  const app = new Hono<PageEnv>();
  app.use("*", signedIn(deps, refusedPage));

  app.get("/", async (c) => {
    const tenant = c.get("tenant");
    const [list, recent, org] = await Promise.all([
      listPipelines(kv, tenant),
      recentRuns(kv, tenant, 100),
      getTenant(kv, tenant),
    ]);
    const origins = await runOrigins(kv, tenant, recent.map((r) => r.id));
    const last = new Map<string, RunRecord>();
    recent.forEach((run, i) => {
      const id = origins[i]?.pipelineId;
      if (id && !last.has(id)) last.set(id, run);
    });
    const rows: PipelineRow[] = list.map((p) => ({
      id: p.id,
      name: p.name,
      schedule: p.schedule,
      lastRun: last.get(p.id),
    }));
    return html(
      c,
      <HomePage
        principal={c.get("principal")}
        pipelines={rows}
        runs={recent.slice(0, 10)}
        tenantName={org?.name ?? "Your organisation"}
      />,
    );
  });

  app.route("/pipelines/new", wizardRoutes(deps));
  app.route("/runs", runsPages(deps));
  app.route("/report", tenantReportPage(deps));
  app.route("/uploads", uploadRoutes(deps));
  app.route("/", pipelinePages(deps));
  app.route("/", connectionsPages(deps));
  app.route("/", membersPages(deps));
  pages.route("/app", app);
  return pages;
}

/** The tenant's newest runs (run ids are time-ordered). */
export async function recentRuns(kv: Deno.Kv, tenant: string, limit: number): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (
    const e of kv.list<RunRecord>({ prefix: runKeys.runs(tenant) }, { reverse: true, limit })
  ) {
    out.push(e.value);
  }
  return out;
}
