import assert from "node:assert/strict";
import { drive, patientsSpec, type TestApp, testApp } from "../routes/_testing.ts";
import { runKeys } from "../runs/run_record.ts";
import { verifyWebhook } from "../triggers/signature.ts";
import {
  announceEnded,
  notificationKey,
  type NotifierOptions,
  type RunAnnouncement,
  startNotifier,
} from "./notifier.ts";

interface Received {
  verified: boolean;
  body: RunAnnouncement;
  delivery: string | null;
}

/** A notification receiver on loopback answering `statuses` in turn (the last one repeats). */
async function withReceiver(
  statuses: number[],
  fn: (url: string, received: Received[], secret: { value: string }) => Promise<void>,
) {
  const received: Received[] = [];
  const secret = { value: "" };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const raw = await req.text();
    received.push({
      verified: (await verifyWebhook(secret.value, req.headers, raw)).ok,
      body: JSON.parse(raw),
      delivery: req.headers.get("x-pyxgen-delivery"),
    });
    const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
    return new Response(status < 300 ? "ok" : "busy", { status });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/pyx/TOKEN-7`, received, secret);
  } finally {
    await server.shutdown();
  }
}

/** Loopback allowed, short backoff: what every test here announces with. */
const options = (t: TestApp, extra: Partial<NotifierOptions> = {}): NotifierOptions => ({
  kv: t.deps.kv,
  publicUrl: "https://portal.test",
  allowPrivateNetwork: true,
  notify: { baseDelayMs: 5, attempts: 4 },
  ...extra,
});

/** Save a pipeline (with a notification URL when given) and run it to its end. */
async function endedRun(t: TestApp, notifyUrl?: string, spec = patientsSpec()) {
  const res = await t.call("POST", "/api/v1/pipelines", {
    body: { spec, ...(notifyUrl ? { notify: { url: notifyUrl } } : {}) },
  });
  assert.equal(res.status, 201, await res.clone().text());
  const pipeline = await res.json();
  const started = await (await t.call("POST", `/api/v1/pipelines/${pipeline.id}/runs`)).json();
  const run = await drive(t.deps, "clinic-a", started.runId);
  return { pipeline, run, secret: pipeline.notify?.secret as string | undefined };
}

const getRunView = async (t: TestApp, id: string) =>
  await (await t.call("GET", `/api/v1/runs/${id}`)).json();

Deno.test("a succeeded run's receiver gets one signed POST with status, counts and output", async () => {
  const t = await testApp();
  try {
    await withReceiver([200], async (url, received, secret) => {
      const { pipeline, run, secret: s } = await endedRun(t, url);
      secret.value = s!;
      assert.equal(run.status, "succeeded", run.error);
      const before = await t.deps.kv.get(runKeys.run("clinic-a", run.id));

      const announced = await announceEnded(options(t));
      assert.deepEqual(announced.map((a) => a.outcome), ["sent"]);
      assert.equal(received.length, 1);
      const [got] = received;
      assert.equal(got.verified, true, "signed with the pipeline's notification secret");
      assert.equal(got.delivery, `${run.id}:succeeded`);
      assert.deepEqual(got.body, {
        tenant: "clinic-a",
        pipeline: "synthea-patients",
        pipelineId: pipeline.id,
        run: run.id,
        status: "succeeded",
        counts: run.counts,
        output: {
          location: "Patient.ndjson",
          records: run.output!.records,
          bytes: run.output!.bytes,
          checksum: run.output!.checksum,
        },
        reportUrl: `https://portal.test/runs/${run.id}`,
        at: run.finishedAt,
      });
      assert.equal(got.body.counts.read, 115);

      const view = await getRunView(t, run.id);
      assert.equal(view.status, "succeeded");
      assert.deepEqual({ ...view.notification, at: undefined }, {
        delivered: true,
        attempts: 1,
        status: 200,
        lastError: null,
        at: undefined,
      });
      const after = await t.deps.kv.get(runKeys.run("clinic-a", run.id));
      assert.equal(after.versionstamp, before.versionstamp, "the run record is not touched");
      assert.equal((await t.deps.kv.get(runKeys.ended("clinic-a", run.id))).value, null);
      // The outbox entry is gone: a second pass sends nothing.
      assert.deepEqual(await announceEnded(options(t)), []);
      assert.equal(received.length, 1);
    });
  } finally {
    await t.close();
  }
});

Deno.test("a receiver answering 503 twice then 200 gets it on the third attempt", async () => {
  const t = await testApp();
  try {
    await withReceiver([503, 503, 200], async (url, received, secret) => {
      const { run, secret: s } = await endedRun(t, url);
      secret.value = s!;
      await announceEnded(options(t));
      assert.equal(received.length, 3);
      assert.ok(received.every((r) => r.verified), "each attempt signed afresh");
      const view = await getRunView(t, run.id);
      assert.equal(view.notification.delivered, true);
      assert.equal(view.notification.attempts, 3);
      assert.equal(view.notification.status, 200);
      const list = await (await t.call("GET", "/api/v1/runs")).json();
      assert.equal(list.runs[0].notification.attempts, 3, "lists show it too");
    });
  } finally {
    await t.close();
  }
});

Deno.test("a receiver that always fails leaves the run succeeded and says why", async () => {
  const t = await testApp();
  try {
    await withReceiver([500], async (url, received) => {
      const { run } = await endedRun(t, url);
      await announceEnded(options(t, { notify: { baseDelayMs: 5, attempts: 3 } }));
      assert.equal(received.length, 3);
      const view = await getRunView(t, run.id);
      assert.equal(view.status, "succeeded");
      assert.equal(view.error, null);
      assert.equal(view.notification.delivered, false);
      assert.equal(view.notification.attempts, 3);
      assert.equal(view.notification.status, 500);
      assert.equal(
        view.notification.lastError,
        "The notification to 127.0.0.1 was answered with HTTP 500 Internal Server Error",
      );
      assert.ok(!JSON.stringify(view).includes("TOKEN-7"), "the URL's path is not shown");
      // Given up for good: not sent again.
      await announceEnded(options(t));
      assert.equal(received.length, 3);
    });
  } finally {
    await t.close();
  }
});

Deno.test("a failed run notifies with status failed and its error", async () => {
  const t = await testApp();
  try {
    await withReceiver([200], async (url, received, secret) => {
      const spec = patientsSpec({ source: { type: "csv", path: "data/samples/nowhere.csv" } });
      const { run, secret: s } = await endedRun(t, url, spec);
      secret.value = s!;
      assert.equal(run.status, "failed");
      await announceEnded(options(t));
      assert.equal(received.length, 1);
      assert.equal(received[0].verified, true);
      assert.equal(received[0].body.status, "failed");
      assert.equal(received[0].body.error, run.error);
      assert.match(received[0].body.error ?? "", /nowhere\.csv/);
      assert.equal(received[0].body.output, null);
      assert.equal(received[0].delivery, `${run.id}:failed`);
      assert.equal((await getRunView(t, run.id)).notification.delivered, true);
    });
  } finally {
    await t.close();
  }
});

Deno.test("a cancelled run notifies with status cancelled", async () => {
  const t = await testApp();
  try {
    await withReceiver([200], async (url, received) => {
      const res = await t.call("POST", "/api/v1/pipelines", {
        body: { spec: patientsSpec(), notify: { url } },
      });
      const { id } = await res.json();
      const { runId } = await (await t.call("POST", `/api/v1/pipelines/${id}/runs`)).json();
      assert.equal((await t.call("POST", `/api/v1/runs/${runId}/cancel`)).status, 200);
      await announceEnded(options(t));
      assert.deepEqual(received.map((r) => [r.body.run, r.body.status]), [[runId, "cancelled"]]);
    });
  } finally {
    await t.close();
  }
});

Deno.test("a run of a pipeline without a notification URL sends nothing and leaves no outbox", async () => {
  const t = await testApp();
  try {
    const { run } = await endedRun(t);
    assert.ok((await t.deps.kv.get(runKeys.ended("clinic-a", run.id))).value, "outbox written");
    const announced = await announceEnded(options(t));
    assert.deepEqual(announced.map((a) => a.outcome), ["none"]);
    assert.equal(announced[0].result, undefined, "nothing sent");
    assert.equal((await t.deps.kv.get(runKeys.ended("clinic-a", run.id))).value, null);
    assert.equal((await t.deps.kv.get(notificationKey("clinic-a", run.id))).value, null);
    assert.equal((await getRunView(t, run.id)).notification, null);
  } finally {
    await t.close();
  }
});

Deno.test("two notifier loops on one KV send exactly one POST", async () => {
  const t = await testApp();
  try {
    await withReceiver([200], async (url, received) => {
      const { run } = await endedRun(t, url);
      const a = startNotifier({ ...options(t), intervalMs: 10 });
      const b = startNotifier({ ...options(t), intervalMs: 10 });
      try {
        for (let i = 0; i < 200; i++) {
          if ((await t.deps.kv.get(notificationKey("clinic-a", run.id))).value) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        // Both loops keep passing a while longer.
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
      assert.equal(received.length, 1);
      assert.equal((await getRunView(t, run.id)).notification.delivered, true);
    });
  } finally {
    await t.close();
  }
});

Deno.test("two passes racing over the same runs send each run once", async () => {
  const t = await testApp();
  try {
    await withReceiver([200], async (url, received) => {
      const runs = [(await endedRun(t, url)).run, (await endedRun(t, url)).run];
      const [x, y] = await Promise.all([announceEnded(options(t)), announceEnded(options(t))]);
      const sent = [...x, ...y].filter((a) => a.outcome === "sent").map((a) => a.run).sort();
      assert.deepEqual(sent, runs.map((r) => r.id).sort());
      assert.deepEqual(received.map((r) => r.body.run).sort(), runs.map((r) => r.id).sort());
    });
  } finally {
    await t.close();
  }
});

Deno.test("a live claim is left alone; a lapsed one (a crashed notifier) is taken over", async () => {
  const t = await testApp();
  try {
    await withReceiver([200], async (url, received) => {
      const { run } = await endedRun(t, url);
      const key = runKeys.ended("clinic-a", run.id);
      const at = run.finishedAt;
      await t.deps.kv.set(key, { at, claim: { token: "other", until: Date.now() + 60_000 } });
      assert.deepEqual(await announceEnded(options(t)), []);
      assert.equal(received.length, 0);
      await t.deps.kv.set(key, { at, claim: { token: "crashed", until: Date.now() - 1 } });
      assert.deepEqual((await announceEnded(options(t))).map((a) => a.outcome), ["sent"]);
      assert.equal(received.length, 1);
    });
  } finally {
    await t.close();
  }
});

Deno.test("closing the notifier mid-retry gives the run back unannounced", async () => {
  const t = await testApp();
  try {
    await withReceiver([503], async (url, received) => {
      const { run } = await endedRun(t, url);
      const loop = startNotifier({ ...options(t), notify: { baseDelayMs: 60_000 } });
      for (let i = 0; i < 200 && received.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(received.length, 1, "the first attempt went out");
      const started = Date.now();
      await loop.close();
      assert.ok(Date.now() - started < 5_000, "close does not wait out the backoff");
      assert.equal((await t.deps.kv.get(notificationKey("clinic-a", run.id))).value, null);
      const outbox = await t.deps.kv.get<{ claim?: unknown }>(runKeys.ended("clinic-a", run.id));
      assert.ok(outbox.value, "still to announce");
      assert.equal(outbox.value.claim, undefined, "no claim left to wait out");
    });
  } finally {
    await t.close();
  }
});
