import assert from "node:assert/strict";
import { LOGIN_FAILED } from "../accounts/login.ts";
import { listAudit } from "../audit/log.ts";
import { patientsSpec, testApp } from "../routes/_testing.ts";
import { PASSWORD, sessionCookieOf, withAccountsApp } from "./_testing.ts";
import { SECURITY_HEADERS } from "./security_headers.ts";

async function json(res: Response): Promise<Record<string, unknown>> {
  return await res.json();
}

function setCookieLine(res: Response): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith("pyx_session="));
  assert.ok(line, "no pyx_session cookie was set");
  return line;
}

Deno.test("sign-up signs the owner in with an HttpOnly, SameSite=Lax, Secure cookie over HTTPS", () =>
  withAccountsApp(async (t) => {
    const res = await t.call("POST", "/auth/signup", {
      body: { organisation: "Clinic A", email: "Ann@Clinic-A.example", password: PASSWORD },
    });
    assert.equal(res.status, 201);
    const line = setCookieLine(res);
    for (const attr of ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"]) {
      assert.ok(line.split("; ").includes(attr), `${attr} missing from ${line}`);
    }
    const body = await json(res);
    assert.deepEqual(body.tenant, { id: (body.tenant as { id: string }).id, name: "Clinic A" });
    assert.deepEqual((body.user as { email: string }).email, "ann@clinic-a.example");
    assert.equal(body.role, "owner");
    const browser = { cookie: sessionCookieOf(res)!, csrf: body.csrf as string };

    const pipelines = await t.call("GET", "/api/v1/pipelines", { as: browser });
    assert.equal(pipelines.status, 200);
    assert.deepEqual(await pipelines.json(), { pipelines: [] });
    const session = await json(await t.call("GET", "/auth/session", { as: browser }));
    assert.equal(session.role, "owner");
    assert.equal(session.csrf, browser.csrf);

    const { entries } = await listAudit(t.kv, (body.tenant as { id: string }).id);
    assert.deepEqual(entries.map((e) => e.action), ["signup"]);
    assert.equal(entries[0].actor, "ann@clinic-a.example");
    assert.equal(JSON.stringify(entries).includes(PASSWORD), false, "password in the audit log");
  }));

Deno.test("over plain HTTP the session cookie is not marked Secure", () =>
  withAccountsApp(async (t) => {
    const res = await t.call("POST", "/auth/signup", {
      body: { organisation: "Local", email: "local@clinic.example", password: PASSWORD },
    });
    assert.equal(res.status, 201);
    const line = setCookieLine(res);
    assert.equal(line.split("; ").includes("Secure"), false, line);
    assert.ok(line.split("; ").includes("HttpOnly"));
  }, { publicUrl: "http://localhost:8000" }));

Deno.test("a POST with the session cookie but without the CSRF token is 403 and changes nothing", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const body = { spec: patientsSpec() };
    const refused = [
      await t.call("POST", "/api/v1/pipelines", { as: owner, csrf: false, body }),
      await t.call("POST", "/api/v1/pipelines", { as: { ...owner, csrf: "forged" }, body }),
      await t.call("POST", "/api/v1/pipelines", {
        as: owner,
        body,
        headers: { Origin: "https://evil.example" },
      }),
    ];
    for (const res of refused) {
      assert.equal(res.status, 403);
      assert.match((await json(res)).error as string, /missing its CSRF token/);
    }
    const none = await json(await t.call("GET", "/api/v1/pipelines", { as: owner }));
    assert.deepEqual(none, { pipelines: [] });

    const made = await t.call("POST", "/api/v1/pipelines", { as: owner, body });
    assert.equal(made.status, 201);
    const list = await json(await t.call("GET", "/api/v1/pipelines", { as: owner }));
    assert.equal((list.pipelines as unknown[]).length, 1);
  }));

Deno.test("each sign-in gets a new session id and revokes the one the browser had", () =>
  withAccountsApp(async (t) => {
    const first = await t.signUp();
    const second = await t.signIn(first.email, PASSWORD, first);
    assert.notEqual(second.cookie, first.cookie);
    assert.notEqual(second.csrf, first.csrf);
    assert.equal((await t.call("GET", "/api/v1/pipelines", { as: first })).status, 401);
    assert.equal((await t.call("GET", "/api/v1/pipelines", { as: second })).status, 200);

    // Another browser signing in does not end this one.
    const elsewhere = await t.signIn(first.email);
    assert.equal((await t.call("GET", "/api/v1/pipelines", { as: second })).status, 200);
    assert.equal((await t.call("GET", "/api/v1/pipelines", { as: elsewhere })).status, 200);

    const { entries } = await listAudit(t.kv, first.tenant);
    const signins = entries.filter((e) => e.action === "signin.succeeded");
    assert.equal(signins.length, 2);
    assert.equal(signins[0].ip, "unknown", "app.request() has no client address");
  }));

Deno.test("sign-out needs the CSRF token, then revokes the session and clears the cookie", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const forged = await t.call("POST", "/auth/signout", { as: owner, csrf: false });
    assert.equal(forged.status, 403);
    assert.equal((await t.call("GET", "/auth/session", { as: owner })).status, 200);

    const out = await t.call("POST", "/auth/signout", { as: owner });
    assert.equal(out.status, 204);
    assert.match(setCookieLine(out), /^pyx_session=; Max-Age=0;/);
    assert.equal((await t.call("GET", "/auth/session", { as: owner })).status, 401);
    assert.equal((await t.call("GET", "/api/v1/pipelines", { as: owner })).status, 401);
    // Signing out again, or without a session, is harmless.
    assert.equal((await t.call("POST", "/auth/signout", { as: owner })).status, 204);

    const { entries } = await listAudit(t.kv, owner.tenant);
    assert.equal(entries[0].action, "signout");
    assert.equal(entries[0].actor, owner.email);
  }));

Deno.test("HTML forms sign in and out; the form carries the CSRF token in _csrf", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const res = await t.call("POST", "/auth/signin", {
      form: { email: owner.email, password: PASSWORD },
    });
    assert.equal(res.status, 200);
    const browser = { cookie: sessionCookieOf(res)!, csrf: (await json(res)).csrf as string };
    const withoutField = await t.call("POST", "/auth/signout", {
      as: browser,
      csrf: false,
      form: {},
    });
    assert.equal(withoutField.status, 403);
    const out = await t.call("POST", "/auth/signout", {
      as: browser,
      csrf: false,
      form: { _csrf: browser.csrf },
    });
    assert.equal(out.status, 204);
    assert.equal((await t.call("GET", "/auth/session", { as: browser })).status, 401);
  }));

Deno.test("a session ends after 30 minutes without a request", async () => {
  let now = new Date("2025-03-01T09:00:00Z");
  const later = (minutes: number) => now = new Date(now.getTime() + minutes * 60_000);
  await withAccountsApp(async (t) => {
    const owner = await t.signUp();
    later(25);
    assert.equal((await t.call("GET", "/api/v1/runs", { as: owner })).status, 200);
    later(25); // 50 minutes after sign-in, 25 after the last request
    assert.equal((await t.call("GET", "/api/v1/runs", { as: owner })).status, 200);
    later(31);
    const expired = await t.call("GET", "/api/v1/runs", { as: owner });
    assert.equal(expired.status, 401);
    assert.match((await json(expired)).error as string, /^Sign in/);
  }, { now: () => now });
});

Deno.test("an unknown email and a wrong password get the same 401; the failure is audited", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const wrong = await t.call("POST", "/auth/signin", {
      body: { email: owner.email, password: "not the right passphrase" },
    });
    const unknown = await t.call("POST", "/auth/signin", {
      body: { email: "nobody@clinic.example", password: PASSWORD },
    });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.deepEqual(await json(res), { error: LOGIN_FAILED });
      assert.equal(sessionCookieOf(res), undefined);
    }
    const { entries } = await listAudit(t.kv, owner.tenant);
    assert.equal(entries[0].action, "signin.failed");
    assert.equal(entries[0].actor, owner.email);
    assert.equal(entries[0].ip, "unknown");
    assert.equal(JSON.stringify(entries).includes("not the right passphrase"), false);
  }));

Deno.test("after 5 failed sign-ins for an address the next is 429 with Retry-After", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    for (let i = 0; i < 5; i++) {
      const res = await t.call("POST", "/auth/signin", {
        body: { email: owner.email, password: `wrong passphrase ${i}` },
      });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
      await res.body?.cancel();
    }
    const limited = await t.call("POST", "/auth/signin", {
      body: { email: owner.email, password: PASSWORD },
    });
    assert.equal(limited.status, 429);
    const seconds = Number(limited.headers.get("Retry-After"));
    assert.ok(seconds > 14 * 60 && seconds <= 15 * 60, `Retry-After: ${seconds}`);
    assert.match((await json(limited)).error as string, /^Too many sign-in attempts; wait 15/);
    assert.equal(sessionCookieOf(limited), undefined);
  }));

Deno.test("sign-up and sign-in posted from another site are refused (login CSRF)", () =>
  withAccountsApp(async (t) => {
    const foreign: { origin: string | null; headers?: Record<string, string> }[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: null, headers: { "Sec-Fetch-Site": "cross-site" } },
    ];
    for (const from of foreign) {
      for (const path of ["/auth/signup", "/auth/signin", "/auth/invites/accept"]) {
        const res = await t.call("POST", path, {
          ...from,
          form: { organisation: "X", email: "x@evil.example", password: PASSWORD, token: "x" },
        });
        assert.equal(res.status, 403, `${path} from ${JSON.stringify(from)}`);
        assert.match((await json(res)).error as string, /sent from another site/);
        assert.equal(sessionCookieOf(res), undefined);
      }
    }
    const all = await Array.fromAsync(t.kv.list({ prefix: ["user_emails"] }));
    assert.deepEqual(all, [], "no account was made");
  }));

Deno.test("a second sign-up with a taken address is a 409; bad input is a 400 naming the field", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const taken = await t.call("POST", "/auth/signup", {
      body: { organisation: "Again", email: owner.email.toUpperCase(), password: PASSWORD },
    });
    assert.equal(taken.status, 409);
    assert.match((await json(taken)).error as string, /already exists/);
    const short = await json(
      await t.call("POST", "/auth/signup", {
        body: { organisation: "B", email: "b@clinic.example", password: "short" },
      }),
    );
    assert.match(short.error as string, /password is too short/);
    const missing = await t.call("POST", "/auth/signin", { body: { email: owner.email } });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(await json(missing)), /password/);
  }));

Deno.test("security headers are on a 200, a 401, a 404 and an error answer", () =>
  withAccountsApp(async (t) => {
    const owner = await t.signUp();
    const answers = [
      await t.call("GET", "/auth/session", { as: owner }),
      await t.call("GET", "/api/v1/runs"),
      await t.call("GET", "/no/such/page"),
      await t.app.request(`${t.base}/auth/signin`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{not json",
      }),
    ];
    assert.deepEqual(answers.map((r) => r.status), [200, 401, 404, 400]);
    for (const res of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(res.headers.get(name), value, `${name} on a ${res.status}`);
      }
      await res.body?.cancel();
    }
  }));

Deno.test("without a session store, the sign-in routes say sign-in is not set up", async () => {
  const t = await testApp();
  try {
    const res = await t.call("POST", "/auth/signin", {
      token: null,
      body: { email: "a@clinic.example", password: PASSWORD },
    });
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: "Sign-in is not set up on this server." });
  } finally {
    await t.close();
  }
});
