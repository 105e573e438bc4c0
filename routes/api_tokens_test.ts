import assert from "node:assert/strict";
import { createApp } from "../app.ts";
import { ConfigError } from "../etl/errors.ts";
import { createKvQueue } from "../runs/kv_queue.ts";
import { ROOT } from "./_testing.ts";
import { createApiToken, kvTokens, listApiTokens, revokeApiToken } from "./api_tokens.ts";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("createApiToken() makes a pyx_ token that authenticates as its tenant only", async () => {
  await withKv(async (kv) => {
    const a = await createApiToken(kv, "clinic-a", { name: "nightly export" });
    const b = await createApiToken(kv, "clinic-b", { name: "nightly export" });
    assert.match(a.token, /^pyx_[0-9a-f]{64}$/);
    assert.notEqual(a.token, b.token);
    assert.equal(a.name, "nightly export");
    const auth = kvTokens(kv);
    assert.equal((await auth.authenticate(a.token))?.tenant, "clinic-a");
    assert.equal((await auth.authenticate(b.token))?.tenant, "clinic-b");
    const wrong = a.token.slice(0, -1) + (a.token.endsWith("0") ? "1" : "0");
    for (const token of [wrong, "", "pyx_", a.token + "0", a.token.toUpperCase(), ` ${a.token}`]) {
      assert.equal(await auth.authenticate(token), undefined, `"${token}" authenticated`);
    }
  });
});

Deno.test("a revoked token stops working; the other tokens of the tenant keep working", async () => {
  await withKv(async (kv) => {
    const auth = kvTokens(kv);
    const one = await createApiToken(kv, "clinic-a", { name: "one" });
    const two = await createApiToken(kv, "clinic-a", { name: "two" });
    assert.equal((await auth.authenticate(one.token))?.tenant, "clinic-a"); // also writes lastUsedAt
    assert.equal(await revokeApiToken(kv, "clinic-a", one.id), true);
    assert.equal(await auth.authenticate(one.token), undefined);
    assert.equal((await auth.authenticate(two.token))?.tenant, "clinic-a");
    assert.deepEqual((await listApiTokens(kv, "clinic-a")).map((t) => t.name), ["two"]);
    assert.equal(await revokeApiToken(kv, "clinic-a", one.id), false);
  });
});

Deno.test("revokeApiToken() with another tenant's token id does nothing and returns false", async () => {
  await withKv(async (kv) => {
    const a = await createApiToken(kv, "clinic-a", { name: "a" });
    assert.equal(await revokeApiToken(kv, "clinic-b", a.id), false);
    assert.equal(await revokeApiToken(kv, "clinic-b", "no-such-id"), false);
    assert.equal((await kvTokens(kv).authenticate(a.token))?.tenant, "clinic-a");
    assert.equal((await listApiTokens(kv, "clinic-a")).length, 1);
    assert.deepEqual(await listApiTokens(kv, "clinic-b"), []);
  });
});

Deno.test("the plain token appears in no KV key or value; the hash stays out of the listed record", async () => {
  await withKv(async (kv) => {
    const { token } = await createApiToken(kv, "clinic-a", { name: "ci", createdBy: "u1" });
    await kvTokens(kv).authenticate(token);
    const hash = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const secretPart = token.slice(4);
    const entries = await Array.fromAsync(kv.list({ prefix: [] }));
    assert.equal(entries.length, 3);
    for (const entry of entries) {
      const text = JSON.stringify(entry.key) + JSON.stringify(entry.value);
      assert.equal(
        text.includes(secretPart),
        false,
        `the token is in ${JSON.stringify(entry.key)}`,
      );
    }
    const [record] = await listApiTokens(kv, "clinic-a");
    assert.equal(JSON.stringify(record).includes(hash), false);
    assert.ok(
      entries.some((e) => JSON.stringify(e.key).includes(hash)),
      "the lookup key is the hash",
    );
  });
});

Deno.test("listApiTokens() shows id, name, prefix and dates, never a secret", async () => {
  await withKv(async (kv) => {
    const made = await createApiToken(
      kv,
      "clinic-a",
      { name: "  ci  " },
      new Date("2030-01-01T00:00:00Z"),
    );
    const list = await listApiTokens(kv, "clinic-a");
    assert.deepEqual(list, [{
      id: made.id,
      name: "ci",
      prefix: made.token.slice(0, 12),
      createdAt: "2030-01-01T00:00:00.000Z",
      role: "editor",
    }]);
    assert.equal(JSON.stringify(list).includes(made.token.slice(8)), false);
  });
});

Deno.test("createApiToken() refuses an empty name and says what to do", async () => {
  await withKv(async (kv) => {
    await assert.rejects(
      () => createApiToken(kv, "clinic-a", { name: "   " }),
      (e) => e instanceof ConfigError && /name: is empty; give a name/.test(e.message),
    );
    await assert.rejects(
      () => createApiToken(kv, "clinic-a", { name: "x".repeat(101) }),
      /longer than 100 characters/,
    );
    assert.deepEqual(await listApiTokens(kv, "clinic-a"), []);
  });
});

Deno.test("lastUsedAt is written on use, then at most once a minute", async () => {
  await withKv(async (kv) => {
    let clock = new Date("2030-01-01T00:00:00Z");
    const auth = kvTokens(kv, { now: () => clock });
    const { token } = await createApiToken(kv, "clinic-a", { name: "ci" }, clock);
    assert.equal((await listApiTokens(kv, "clinic-a"))[0].lastUsedAt, undefined);
    await auth.authenticate(token);
    assert.equal((await listApiTokens(kv, "clinic-a"))[0].lastUsedAt, "2030-01-01T00:00:00.000Z");
    clock = new Date("2030-01-01T00:00:59Z");
    await auth.authenticate(token);
    assert.equal((await listApiTokens(kv, "clinic-a"))[0].lastUsedAt, "2030-01-01T00:00:00.000Z");
    clock = new Date("2030-01-01T00:01:00Z");
    await auth.authenticate(token);
    assert.equal((await listApiTokens(kv, "clinic-a"))[0].lastUsedAt, "2030-01-01T00:01:00.000Z");
  });
});

Deno.test("a failure writing lastUsedAt is logged and does not fail authentication", async () => {
  await withKv(async (kv) => {
    const { token } = await createApiToken(kv, "clinic-a", { name: "ci" });
    const logged: string[] = [];
    const auth = kvTokens(kv, {
      now: () => {
        throw new Error("clock broke");
      },
      log: (line) => logged.push(line),
    });
    assert.equal((await auth.authenticate(token))?.tenant, "clinic-a");
    assert.equal(logged.length, 1);
    assert.match(logged[0], /Could not record the use of API token .* clock broke/);
    assert.equal(logged[0].includes(token), false);
  });
});

Deno.test("through the app: GET /api/v1/pipelines answers 200 with a KV token, 401 once revoked", async () => {
  const kv = await Deno.openKv(":memory:");
  const queue = createKvQueue(kv);
  const out = await Deno.makeTempDir();
  try {
    const app = createApp({
      engine: {
        kv,
        queue,
        inputRoot: ROOT,
        outputRoot: out,
        allowPrivateNetwork: false,
        budget: { rows: 50, ms: 2_000 },
      },
      auth: kvTokens(kv),
      publicUrl: "https://portal.test",
      log: () => {},
    });
    const made = await createApiToken(kv, "clinic-a", { name: "automation" });
    const get = (token: string) =>
      app.request("/api/v1/pipelines", { headers: { Authorization: `Bearer ${token}` } });

    const ok = await get(made.token);
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.deepEqual(await ok.json(), { pipelines: [] });
    assert.ok((await listApiTokens(kv, "clinic-a"))[0].lastUsedAt);

    assert.equal(await revokeApiToken(kv, "clinic-a", made.id), true);
    const refused = await get(made.token);
    assert.equal(refused.status, 401);
    assert.match((await refused.json()).error, /valid API token/);
  } finally {
    await queue.close();
    kv.close();
    await Deno.remove(out, { recursive: true });
  }
});
