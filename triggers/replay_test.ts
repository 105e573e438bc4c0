import assert from "node:assert/strict";
import {
  admitWebhook,
  claimIdempotencyKey,
  ReplayGuard,
  validateIdempotencyKey,
} from "./replay.ts";
import { signWebhook, verifyWebhook } from "./signature.ts";

const SECRET = "whsec_test";
const BODY = '{"a":1}';
const NOW = new Date("2026-11-26T10:00:00Z");

function later(seconds: number): Date {
  return new Date(NOW.getTime() + seconds * 1000);
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** Two handles on one KV file: what two processes sharing a KV file see. */
async function withSharedKv(fn: (a: Deno.Kv, b: Deno.Kv) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const a = await Deno.openKv(`${dir}/kv.sqlite`);
  const b = await Deno.openKv(`${dir}/kv.sqlite`);
  try {
    await fn(a, b);
  } finally {
    a.close();
    b.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ReplayGuard refuses a valid request replayed within the window", async () => {
  await withKv(async (kv) => {
    const signed = await signWebhook(SECRET, BODY, NOW);
    const first = await verifyWebhook(SECRET, signed, BODY, later(1));
    const replay = await verifyWebhook(SECRET, signed, BODY, later(120));
    assert.ok(first.ok && replay.ok, "both copies carry a valid signature");
    assert.equal(await ReplayGuard.seen(kv, "p1", first.signature, first.expiresAt, NOW), true);
    assert.equal(await ReplayGuard.seen(kv, "p1", replay.signature, replay.expiresAt, NOW), false);
    // The same signature for another pipeline is a different request.
    assert.equal(await ReplayGuard.seen(kv, "p2", first.signature, first.expiresAt, NOW), true);
  });
});

Deno.test("ReplayGuard lets exactly one of simultaneous copies through", async () => {
  await withSharedKv(async (a, b) => {
    const expires = new Date(Date.now() + 300_000);
    const calls = Array.from(
      { length: 20 },
      (_, i) => ReplayGuard.seen(i % 2 ? a : b, "p1", "ab".repeat(32), expires),
    );
    const results = await Promise.all(calls);
    assert.equal(results.filter(Boolean).length, 1);
  });
});

Deno.test("claimIdempotencyKey: the same key twice gives one run id", async () => {
  await withKv(async (kv) => {
    assert.deepEqual(await claimIdempotencyKey(kv, "p1", "order-42", "run-1", 86_400_000), {
      claimed: true,
    });
    assert.deepEqual(await claimIdempotencyKey(kv, "p1", "order-42", "run-2", 86_400_000), {
      claimed: false,
      runId: "run-1",
    });
    // Keys are per pipeline.
    assert.deepEqual(await claimIdempotencyKey(kv, "p2", "order-42", "run-3", 86_400_000), {
      claimed: true,
    });
  });
});

Deno.test("claimIdempotencyKey: concurrent claims give exactly one run", async () => {
  await withSharedKv(async (a, b) => {
    const claims = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => claimIdempotencyKey(i % 2 ? a : b, "p1", "k", `run-${i}`, 60_000),
      ),
    );
    const winners = claims.flatMap((c, i) => c.claimed ? [`run-${i}`] : []);
    assert.equal(winners.length, 1);
    for (const c of claims) if (!c.claimed) assert.equal(c.runId, winners[0]);
  });
});

Deno.test("claimIdempotencyKey refuses keys that are empty, too long or not printable ASCII", async () => {
  await withKv(async (kv) => {
    await assert.rejects(
      () => claimIdempotencyKey(kv, "p1", "", "run-1", 60_000),
      { name: "ConfigError", message: /must be 1 to 200 characters long, but it has 0/ },
    );
    await assert.rejects(
      () => claimIdempotencyKey(kv, "p1", "x".repeat(201), "run-1", 60_000),
      { message: /but it has 201/ },
    );
    for (const key of ["a\nb", "tab\there", "clé"]) {
      await assert.rejects(() => claimIdempotencyKey(kv, "p1", key, "run-1", 60_000), {
        name: "ConfigError",
        message: /only printable ASCII characters, but character \d+ is not/,
      });
    }
    assert.equal((await kv.get(["webhook_idempotency", "p1", ""])).value, null);
  });
  validateIdempotencyKey("x".repeat(200));
  validateIdempotencyKey(" ~!{}[]");
});

async function verified(body = BODY, at = NOW) {
  const result = await verifyWebhook(SECRET, await signWebhook(SECRET, body, at), body, at);
  assert.ok(result.ok);
  return result;
}

Deno.test("admitWebhook: a retry with the same Idempotency-Key gets the first run", async () => {
  await withKv(async (kv) => {
    const first = await verified();
    const opts = { now: NOW };
    assert.deepEqual(await admitWebhook(kv, "p1", first, "order-42", "run-1", opts), {
      action: "start",
    });
    // The client resends the very same bytes (same signature) after a timeout.
    assert.deepEqual(await admitWebhook(kv, "p1", first, "order-42", "run-2", opts), {
      action: "existing",
      runId: "run-1",
    });
    // A freshly signed request with the same key also maps to the first run.
    const second = await verified('{"a":1} ', later(5));
    assert.deepEqual(await admitWebhook(kv, "p1", second, "order-42", "run-3", opts), {
      action: "existing",
      runId: "run-1",
    });
  });
});

Deno.test("admitWebhook: a captured request replayed without or with a new key is refused", async () => {
  await withKv(async (kv) => {
    const request = await verified();
    const opts = { now: NOW };
    assert.deepEqual(await admitWebhook(kv, "p1", request, undefined, "run-1", opts), {
      action: "start",
    });
    assert.deepEqual(await admitWebhook(kv, "p1", request, undefined, "run-2", opts), {
      action: "replay",
    });
    assert.deepEqual(await admitWebhook(kv, "p1", request, "new-key", "run-3", opts), {
      action: "replay",
    });
    // The refused replay did not take the new key: a genuine request may still use it.
    assert.deepEqual(await admitWebhook(kv, "p1", await verified("{}"), "new-key", "run-4", opts), {
      action: "start",
    });
  });
});

Deno.test("admitWebhook: simultaneous copies with one key start exactly one run", async () => {
  await withSharedKv(async (a, b) => {
    const request = await verified(BODY, new Date());
    const outcomes = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => admitWebhook(i % 2 ? a : b, "p1", request, "k", `run-${i}`),
      ),
    );
    const started = outcomes.flatMap((o, i) => o.action === "start" ? [`run-${i}`] : []);
    assert.equal(started.length, 1);
    for (const o of outcomes) {
      if (o.action !== "start") assert.deepEqual(o, { action: "existing", runId: started[0] });
    }
  });
});

Deno.test("admitWebhook refuses a malformed Idempotency-Key before recording anything", async () => {
  await withKv(async (kv) => {
    const request = await verified();
    await assert.rejects(() => admitWebhook(kv, "p1", request, "", "run-1"), {
      name: "ConfigError",
    });
    assert.deepEqual(await admitWebhook(kv, "p1", request, undefined, "run-1"), {
      action: "start",
    });
  });
});
