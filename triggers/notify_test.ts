import assert from "node:assert/strict";
import { notifyRun, type RunNotification } from "./notify.ts";
import { verifyWebhook } from "./signature.ts";

const SECRET = "whsec_notify_test";

const payload: RunNotification = {
  tenant: "clinic-a",
  pipeline: "nightly-patients",
  run: "run-123",
  status: "succeeded",
  counts: { read: 10, normalized: 10, mapped: 10, valid: 9, written: 9, rejected: 1 },
  output: { location: "out/patients.ndjson", records: 9, bytes: 1234, checksum: "sha256:ab" },
  reportUrl: "https://portal.example.org/runs/run-123",
  at: "2026-11-26T02:31:00.000Z",
};

interface Received {
  verified: boolean;
  body: unknown;
  delivery: string | null;
}

/** A receiver on loopback answering `statuses` in turn (the last one repeats). */
async function withReceiver(
  statuses: number[],
  fn: (url: string, received: Received[]) => Promise<void>,
  extraHeaders: Record<string, string> = {},
) {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const raw = await req.text();
    const check = await verifyWebhook(SECRET, req.headers, raw);
    received.push({
      verified: check.ok,
      body: JSON.parse(raw),
      delivery: req.headers.get("x-pyxgen-delivery"),
    });
    const status = statuses[Math.min(received.length - 1, statuses.length - 1)];
    return new Response(status < 300 ? "ok" : "nope", { status, headers: extraHeaders });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/hooks/pyx-TOKEN-42`, received);
  } finally {
    await server.shutdown();
  }
}

/** Records backoff delays instead of waiting. */
function fakeSleep() {
  const delays: number[] = [];
  return { delays, sleep: (ms: number) => (delays.push(ms), Promise.resolve()) };
}

const local = { allowPrivateNetwork: true, baseDelayMs: 1_000 };

Deno.test("notifyRun posts the run as JSON that the receiver verifies with verifyWebhook", async () => {
  await withReceiver([200], async (url, received) => {
    const result = await notifyRun(url, SECRET, payload, { ...local, ...fakeSleep() });
    assert.deepEqual(result, { delivered: true, attempts: 1, status: 200 });
    assert.deepEqual(received, [{ verified: true, body: payload, delivery: "run-123:succeeded" }]);
  });
});

Deno.test("notifyRun retries 500 twice, then is delivered on the third attempt", async () => {
  await withReceiver([500, 500, 200], async (url, received) => {
    const { delays, sleep } = fakeSleep();
    const result = await notifyRun(url, SECRET, payload, { ...local, sleep });
    assert.deepEqual(result, { delivered: true, attempts: 3, status: 200 });
    assert.equal(received.length, 3);
    assert.ok(received.every((r) => r.verified), "every attempt is freshly signed");
    // Backoff doubles, with jitter between half and all of it.
    assert.equal(delays.length, 2);
    assert.ok(delays[0] >= 500 && delays[0] <= 1_000, `first delay ${delays[0]}`);
    assert.ok(delays[1] >= 1_000 && delays[1] <= 2_000, `second delay ${delays[1]}`);
  });
});

Deno.test("notifyRun gives up after all attempts with the status in lastError", async () => {
  await withReceiver([500], async (url, received) => {
    const result = await notifyRun(url, SECRET, payload, { ...local, ...fakeSleep() });
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 4);
    assert.equal(result.status, 500);
    assert.equal(
      result.lastError,
      "The notification to 127.0.0.1 was answered with HTTP 500 Internal Server Error",
    );
    assert.equal(received.length, 4);
    assert.ok(!result.lastError?.includes("TOKEN"), "the URL path may hold a token");
  });
});

Deno.test("notifyRun waits as long as a 429 Retry-After asks", async () => {
  await withReceiver([429, 200], async (url) => {
    const { delays, sleep } = fakeSleep();
    const result = await notifyRun(url, SECRET, payload, { ...local, sleep });
    assert.deepEqual(result, { delivered: true, attempts: 2, status: 200 });
    assert.deepEqual(delays, [7_000]);
  }, { "Retry-After": "7" });
});

Deno.test("notifyRun does not retry a 4xx answer or follow a redirect", async () => {
  await withReceiver([404], async (url, received) => {
    const result = await notifyRun(url, SECRET, payload, { ...local, ...fakeSleep() });
    assert.deepEqual(result, {
      delivered: false,
      attempts: 1,
      status: 404,
      lastError: "The notification to 127.0.0.1 was answered with HTTP 404 Not Found",
    });
    assert.equal(received.length, 1);
  });
  await withReceiver([302], async (url, received) => {
    const result = await notifyRun(url, SECRET, payload, { ...local, ...fakeSleep() });
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 1);
    assert.match(result.lastError!, /HTTP 302 .*do not follow redirects/);
    assert.equal(received.length, 1);
  }, { Location: "http://169.254.169.254/latest/meta-data" });
});

Deno.test("notifyRun refuses a private host unless the deployment allows it", async () => {
  await withReceiver([200], async (url, received) => {
    const result = await notifyRun(url, SECRET, payload, { ...fakeSleep() });
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 0);
    assert.match(result.lastError!, /resolves to 127\.0\.0\.1, a private or local network address/);
    assert.equal(received.length, 0, "nothing was sent");
  });
});

Deno.test("notifyRun retries a host that refuses connections, without the URL in lastError", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(),
  );
  const port = server.addr.port;
  await server.shutdown();
  const { delays, sleep } = fakeSleep();
  const result = await notifyRun(`http://127.0.0.1:${port}/x/TOKEN`, SECRET, payload, {
    ...local,
    attempts: 3,
    sleep,
  });
  assert.deepEqual(result, {
    delivered: false,
    attempts: 3,
    status: undefined,
    lastError: "The notification to 127.0.0.1 could not be sent (connection refused)",
  });
  assert.equal(delays.length, 2);
});

Deno.test("notifyRun gives up on a receiver that does not answer in time", async () => {
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await hold;
    return new Response("late");
  });
  try {
    const result = await notifyRun(`http://127.0.0.1:${server.addr.port}/`, SECRET, payload, {
      ...local,
      attempts: 2,
      timeoutMs: 100,
      ...fakeSleep(),
    });
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 2);
    assert.equal(result.lastError, "The notification to 127.0.0.1 got no answer within 0.1 s");
  } finally {
    release();
    await server.shutdown();
  }
});

Deno.test("notifyRun reports a bad URL or a missing secret without sending", async () => {
  for (const url of ["not a url", "ftp://example.org/x", ""]) {
    const result = await notifyRun(url, SECRET, payload);
    assert.equal(result.delivered, false);
    assert.equal(result.attempts, 0);
    assert.match(result.lastError!, /not a valid http\(s\) URL/);
  }
  const result = await notifyRun("https://example.org/hook", "", payload);
  assert.match(result.lastError!, /no signing secret/);
});
