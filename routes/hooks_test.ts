import assert from "node:assert/strict";
import { startWorker } from "../runs/engine.ts";
import { signWebhook } from "../triggers/signature.ts";
import { patientsSpec, type TestApp, testApp } from "./_testing.ts";

const REFUSED = { error: "The request was not accepted." };

async function pipeline(t: TestApp) {
  const res = await t.call("POST", "/api/v1/pipelines", { body: { spec: patientsSpec() } });
  assert.equal(res.status, 201);
  return await res.json() as { id: string; webhook: { url: string; secret: string } };
}

/** POST a webhook with no Authorization header, exactly these bytes and headers. */
function hook(t: TestApp, id: string, body: string, headers: Record<string, string>) {
  return t.app.request(`/hooks/${id}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
}

async function runIds(t: TestApp): Promise<string[]> {
  const list = await (await t.call("GET", "/api/v1/runs")).json();
  return list.runs.map((r: { id: string }) => r.id);
}

Deno.test("a validly signed webhook starts one run that the worker takes to succeeded", async () => {
  const t = await testApp();
  const stop = startWorker(t.deps);
  try {
    const p = await pipeline(t);
    const body = JSON.stringify({ note: "nightly" });
    const res = await hook(t, p.id, body, await signWebhook(p.webhook.secret, body));
    assert.equal(res.status, 202);
    const started = await res.json();
    assert.equal(started.status, "queued");
    assert.equal(started.statusUrl, `https://portal.test/api/v1/runs/${started.runId}`);
    assert.equal(res.headers.get("Location"), started.statusUrl);
    let run = { status: "queued", counts: { read: 0 }, trigger: "", error: null };
    for (let i = 0; i < 400 && !["succeeded", "failed"].includes(run.status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      run = await (await t.call("GET", `/api/v1/runs/${started.runId}`)).json();
    }
    assert.equal(run.status, "succeeded", run.error ?? undefined);
    assert.equal(run.counts.read, 115);
    assert.equal(run.trigger, "webhook");
    assert.deepEqual(await runIds(t), [started.runId]);
  } finally {
    await stop();
    await t.close();
  }
});

Deno.test("a replayed webhook request is refused with a bare 401 and starts nothing", async () => {
  const t = await testApp();
  try {
    const p = await pipeline(t);
    const body = JSON.stringify({ note: "once" });
    const headers = await signWebhook(p.webhook.secret, body);
    const first = await hook(t, p.id, body, headers);
    assert.equal(first.status, 202);
    const { runId } = await first.json();
    const replay = await hook(t, p.id, body, headers);
    assert.equal(replay.status, 401);
    assert.deepEqual(await replay.json(), REFUSED);
    assert.deepEqual(await runIds(t), [runId]);
    assert.ok(t.logged.some((l) => l.includes("replay")), "the reason is logged, not answered");
  } finally {
    await t.close();
  }
});

Deno.test("stale, tampered, unsigned and unknown-pipeline webhooks all get the same bare 401", async () => {
  const t = await testApp();
  try {
    const p = await pipeline(t);
    const body = JSON.stringify({ note: "x" });
    const stale = await signWebhook(p.webhook.secret, body, new Date(Date.now() - 6 * 60_000));
    const future = await signWebhook(p.webhook.secret, body, new Date(Date.now() + 6 * 60_000));
    const good = await signWebhook(p.webhook.secret, body);
    const otherSecret = await signWebhook("whsec_not-the-pipelines-secret", body);
    const cases: [string, string, string, Record<string, string>][] = [
      ["stale timestamp", p.id, body, stale],
      ["timestamp in the future", p.id, body, future],
      ["tampered body", p.id, JSON.stringify({ note: "y" }), good],
      ["wrong secret", p.id, body, otherSecret],
      ["no signature headers", p.id, body, {}],
      ["garbled signature", p.id, body, { ...good, "X-PyxGen-Signature": "v1=zz" }],
      ["unknown pipeline", "0123456789abcdef0123456789abcdef", body, good],
      ["malformed pipeline id", "nope", body, good],
    ];
    for (const [what, id, sent, headers] of cases) {
      const res = await hook(t, id, sent, headers);
      assert.equal(res.status, 401, what);
      assert.deepEqual(await res.json(), REFUSED, what);
    }
    assert.deepEqual(await runIds(t), [], "no run was started");
  } finally {
    await t.close();
  }
});

Deno.test("the same Idempotency-Key twice answers with the same run", async () => {
  const t = await testApp();
  try {
    const p = await pipeline(t);
    const key = crypto.randomUUID();
    const send = async (note: string, at: Date) => {
      const body = JSON.stringify({ note });
      const headers = await signWebhook(p.webhook.secret, body, at);
      return await hook(t, p.id, body, { ...headers, "Idempotency-Key": key });
    };
    const first = await send("try 1", new Date());
    assert.equal(first.status, 202);
    const a = await first.json();
    // A client retry: signed again (new timestamp), same key.
    const second = await send("try 2", new Date(Date.now() + 1_000));
    assert.equal(second.status, 202);
    const b = await second.json();
    assert.equal(b.runId, a.runId);
    assert.equal(b.statusUrl, a.statusUrl);
    assert.deepEqual(await runIds(t), [a.runId]);

    const body = "{}";
    const bad = await hook(t, p.id, body, {
      ...await signWebhook(p.webhook.secret, body),
      "Idempotency-Key": "x".repeat(201),
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /Idempotency-Key header must be 1 to 200 characters/);
  } finally {
    await t.close();
  }
});
