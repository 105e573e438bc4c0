import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  securityHeaders,
  STRICT_TRANSPORT_SECURITY,
} from "./security_headers.ts";

function assertSecure(res: Response, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(res.headers.get(name), value, `${name} on ${what}`);
  }
}

Deno.test("securityHeaders() sets the headers on answers, errors and not-found alike", async () => {
  const app = new Hono();
  app.use("*", securityHeaders());
  app.get("/ok", (c) => c.json({ ok: true }));
  app.get("/weak", (c) => {
    c.header("X-Frame-Options", "SAMEORIGIN");
    return c.text("framed?");
  });
  app.get("/boom", () => {
    throw new Error("boom");
  });
  app.onError((_err, c) => c.json({ error: "Something went wrong" }, 500));

  const answers = {
    ok: await app.request("/ok"),
    weak: await app.request("/weak"),
    error: await app.request("/boom"),
    missing: await app.request("/nothing-here"),
  };
  assert.equal(answers.ok.status, 200);
  assert.equal(answers.error.status, 500);
  assert.equal(answers.missing.status, 404);
  for (const [what, res] of Object.entries(answers)) {
    assertSecure(res, what);
    await res.body?.cancel();
  }
});

Deno.test("the CSP allows no inline script, no plugins and no framing", () => {
  const directives = Object.fromEntries(
    CONTENT_SECURITY_POLICY.split(";").map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
  assert.deepEqual(directives["script-src"], ["'self'"]);
  assert.deepEqual(directives["frame-ancestors"], ["'none'"]);
  assert.deepEqual(directives["object-src"], ["'none'"]);
  assert.equal(CONTENT_SECURITY_POLICY.includes("unsafe-inline"), false);
  assert.equal(CONTENT_SECURITY_POLICY.includes("unsafe-eval"), false);
});

Deno.test("securityHeaders() sends HSTS over HTTPS and behind an HTTPS public URL, never over plain HTTP", async () => {
  const appFor = (publicUrl?: string) => {
    const app = new Hono();
    app.use("*", securityHeaders({ publicUrl }));
    app.get("/ok", (c) => c.text("ok"));
    return app;
  };
  const hsts = async (app: Hono, url: string) => {
    const res = await app.request(url);
    await res.body?.cancel();
    return res.headers.get("Strict-Transport-Security");
  };
  assert.equal(await hsts(appFor(), "https://portal.example.org/ok"), STRICT_TRANSPORT_SECURITY);
  assert.equal(
    await hsts(appFor("https://portal.example.org"), "http://10.0.0.5:8000/ok"),
    STRICT_TRANSPORT_SECURITY,
  );
  assert.equal(await hsts(appFor(), "http://localhost:8000/ok"), null);
  assert.equal(await hsts(appFor("http://localhost:8000"), "http://localhost:8000/ok"), null);
});
