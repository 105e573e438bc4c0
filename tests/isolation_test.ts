/**
 * Tenant isolation, as a second tenant would try to break it: two organisations sign up; tenant A
 * makes a connection, a pipeline with a webhook, runs (one succeeded with an output file and a
 * rejected row), a member and an API token. Tenant B — signed in with a session and with its own
 * API token — then tries every route that takes an id with A's ids: guessed ids and A's real ids
 * get the same 404, ids swapped into B's own bodies and forms are refused, A's webhook does not
 * take B's signature, and A's objects are unchanged afterwards.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { signWebhook } from "../triggers/signature.ts";
import { drive, patientsSpec, ROOT } from "../routes/_testing.ts";
import { accountsApp, type Browser } from "../web/_testing.ts";

const randomHex = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

Deno.test("tenant B gets 404 for every object of tenant A, by guessed ids, swapped ids and the API", async () => {
  const t = await accountsApp({ tenantFiles: true });
  try {
    const a = await t.signUp();
    const b = await t.signUp();
    // A's sample file, in A's own input folder.
    await Deno.mkdir(join(t.deps.inputRoot, a.tenant, "data/samples/synthea"), { recursive: true });
    await Deno.copyFile(
      join(ROOT, "data/samples/synthea/patients.csv"),
      join(t.deps.inputRoot, a.tenant, "data/samples/synthea/patients.csv"),
    );
    const as = (who: Browser) => ({ as: who });
    const json = async (res: Response) => {
      const text = await res.text();
      assert.ok(res.status < 300, `${res.status}: ${text}`);
      return text === "" ? undefined : JSON.parse(text);
    };

    // Tenant A's objects.
    const conn = await json(
      await t.call("POST", "/api/v1/connections", {
        ...as(a),
        body: {
          name: "A's EMR",
          kind: "source",
          type: "postgres",
          config: { host: "127.0.0.1", user: "postgres", password: "a-secret", database: "test" },
        },
      }),
    );
    const pipeline = await json(
      await t.call("POST", "/api/v1/pipelines", { ...as(a), body: { spec: patientsSpec() } }),
    );
    const started = await json(
      await t.call("POST", `/api/v1/pipelines/${pipeline.id}/runs`, as(a)),
    );
    const run = await drive(t.deps, a.tenant, started.runId);
    assert.equal(run.status, "succeeded", run.error);
    const queued = await json(await t.call("POST", `/api/v1/pipelines/${pipeline.id}/runs`, as(a)));
    const invite = await json(
      await t.call("POST", "/api/v1/invites", { ...as(a), body: { role: "viewer" } }),
    );
    const member = await json(
      await t.call("POST", "/auth/invites/accept", {
        body: {
          token: invite.token,
          email: `viewer-${crypto.randomUUID()}@a.example`,
          password: "correct horse battery staple",
        },
      }),
    );
    const token = await json(
      await t.call("POST", "/api/v1/tokens", { ...as(a), body: { name: "A nightly" } }),
    );
    const bToken = (await json(
      await t.call("POST", "/api/v1/tokens", {
        ...as(b),
        body: { name: "B nightly", role: "owner" },
      }),
    )).token;

    // Every route that takes an id, with A's real ids and with guessed ones.
    const routes = (ids: Record<string, string>) =>
      [
        ["GET", `/api/v1/pipelines/${ids.pipeline}`],
        ["PATCH", `/api/v1/pipelines/${ids.pipeline}`, { schedule: "0 3 * * *" }],
        ["POST", `/api/v1/pipelines/${ids.pipeline}/runs`],
        ["GET", `/api/v1/runs/${ids.run}`],
        ["GET", `/api/v1/runs/${ids.run}/rejected`],
        ["GET", `/api/v1/runs/${ids.run}/output`],
        ["POST", `/api/v1/runs/${ids.run}/rerun`],
        ["POST", `/api/v1/runs/${ids.queued}/cancel`],
        ["GET", `/api/v1/connections/${ids.conn}`],
        ["PATCH", `/api/v1/connections/${ids.conn}`, { name: "taken over" }],
        ["POST", `/api/v1/connections/${ids.conn}/test`],
        ["GET", `/api/v1/connections/${ids.conn}/tables`],
        ["DELETE", `/api/v1/connections/${ids.conn}`],
        ["PATCH", `/api/v1/members/${ids.member}`, { role: "owner" }],
        ["DELETE", `/api/v1/members/${ids.member}`],
        ["DELETE", `/api/v1/tokens/${ids.token}`],
      ] as const;
    const real = {
      pipeline: pipeline.id,
      run: run.id,
      queued: queued.runId,
      conn: conn.id,
      member: member.user.id,
      token: token.id,
    };
    const guessed = {
      pipeline: randomHex(16),
      run: crypto.randomUUID(),
      queued: crypto.randomUUID(),
      conn: randomHex(16),
      member: member.user.id.split("").reverse().join(""),
      token: randomHex(16),
    };
    const tried: string[] = [];
    for (const [who, init] of [["session", as(b)], ["token", { token: bToken }]] as const) {
      const realRoutes = routes(real);
      const guessedRoutes = routes(guessed);
      for (let i = 0; i < realRoutes.length; i++) {
        const [method, path, body] = realRoutes[i];
        const res = await t.call(method, path, { ...init, body });
        const text = await res.text();
        assert.equal(res.status, 404, `${who} ${method} ${path}: ${res.status} ${text}`);
        // A's real id answers exactly like a guessed one: nothing tells B the object exists.
        const [, guessPath, guessBody] = guessedRoutes[i];
        const guess = await t.call(method, guessPath, { ...init, body: guessBody });
        assert.equal(guess.status, 404, `${who} ${method} ${guessPath}`);
        const idOf = (p: string) => p.split("/")[4];
        assert.equal(
          text.replace(idOf(path), "<id>"),
          (await guess.text()).replace(idOf(guessPath), "<id>"),
          `${method} ${path} answers differently for a real and a guessed id`,
        );
        tried.push(`${who} ${method} ${path}`);
      }
    }
    assert.equal(tried.length, 32);

    // Ids swapped into B's own bodies and forms.
    const swapped = await t.call("POST", "/api/v1/pipelines", {
      ...as(b),
      body: {
        spec: {
          ...patientsSpec(),
          source: { type: "postgres", connection: conn.id, table: "pg_tables" },
        },
      },
    });
    assert.equal(swapped.status, 400);
    assert.match((await swapped.json()).error, /no saved connection/);
    const formSwap = await t.call("PATCH", `/api/v1/members/${member.user.id}`, {
      ...as(b),
      form: { role: "owner", _csrf: b.csrf },
    });
    assert.equal(formSwap.status, 404);

    // A's webhook with B's signature (B's own pipeline's secret) is refused.
    const bPipeline = await json(
      await t.call("POST", "/api/v1/pipelines", { ...as(b), body: { spec: patientsSpec() } }),
    );
    const signed = await signWebhook(bPipeline.webhook.secret, "{}");
    const hook = await t.call("POST", `/hooks/${pipeline.id}`, { headers: signed, body: {} });
    assert.equal(hook.status, 401);
    // The same signature on B's own hook works: the refusal was about the tenant, not the test.
    const own = await t.call("POST", `/hooks/${bPipeline.id}`, { headers: signed, body: {} });
    assert.equal(own.status, 202);

    // B's lists show none of A's objects; A's objects are all as they were.
    for (const path of ["/api/v1/pipelines", "/api/v1/runs", "/api/v1/connections"]) {
      const listed = JSON.stringify(await json(await t.call("GET", path, as(b))));
      for (const id of Object.values(real)) assert.equal(listed.includes(id), false, path);
    }
    const aRuns = await json(await t.call("GET", "/api/v1/runs", as(a)));
    assert.equal(aRuns.runs.length, 2, "B started no run of A's pipeline");
    assert.equal(
      (await json(await t.call("GET", `/api/v1/runs/${queued.runId}`, as(a)))).status,
      "queued",
    );
    const aPipeline = await json(await t.call("GET", `/api/v1/pipelines/${pipeline.id}`, as(a)));
    assert.equal(aPipeline.schedule, null);
    const aConn = await json(await t.call("GET", `/api/v1/connections/${conn.id}`, as(a)));
    assert.equal(aConn.name, "A's EMR");
    const members = await json(await t.call("GET", "/api/v1/members", as(a)));
    assert.ok(
      members.members.some((m: { id: string; role: string }) =>
        m.id === member.user.id && m.role === "viewer"
      ),
    );
    const tokens = await json(await t.call("GET", "/api/v1/tokens", as(a)));
    assert.equal(tokens.tokens.length, 1);
    // A's output is in A's folder only.
    const output = await t.call("GET", `/api/v1/runs/${run.id}/output`, as(a));
    assert.equal(output.status, 200);
    assert.equal((await output.text()).trim().split("\n").length, 115);
    await Deno.stat(join(t.deps.outputRoot, a.tenant, "Patient.ndjson"));
  } finally {
    await t.close();
  }
});
