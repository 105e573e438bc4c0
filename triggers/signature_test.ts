import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import {
  generateWebhookSecret,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  timingSafeEqual,
  verifyWebhook,
} from "./signature.ts";

const SECRET = "whsec_test";
const BODY = '{"a":1}';
const NOW = new Date("2026-11-26T10:00:00Z");

function later(seconds: number): Date {
  return new Date(NOW.getTime() + seconds * 1000);
}

async function refusal(headers: Record<string, string>, body = BODY, now = NOW, secret = SECRET) {
  const result = await verifyWebhook(secret, headers, body, now);
  assert.equal(result.ok, false, "the request must be refused");
  return (result as { reason: string }).reason;
}

Deno.test("generateWebhookSecret gives whsec_ and 32 random bytes in base64url", () => {
  const a = generateWebhookSecret();
  const b = generateWebhookSecret();
  assert.match(a, /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});

Deno.test("signWebhook signs '<timestamp>.<body>' with HMAC-SHA256 as openssl does", async () => {
  // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test -hex
  const headers = await signWebhook(SECRET, BODY, new Date(1_700_000_000_500));
  assert.deepEqual(headers, {
    [TIMESTAMP_HEADER]: "1700000000",
    [SIGNATURE_HEADER]: "v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789",
  });
});

Deno.test("signWebhook refuses an empty secret with a readable message", async () => {
  await assert.rejects(() => signWebhook("", BODY), ConfigError);
});

Deno.test("verifyWebhook accepts a signed request with Headers or any header case", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  const viaHeaders = await verifyWebhook(SECRET, new Headers(signed), BODY, later(10));
  assert.deepEqual(viaHeaders, {
    ok: true,
    timestamp: NOW.getTime() / 1000,
    signature: signed[SIGNATURE_HEADER].slice(3),
    expiresAt: later(300),
  });
  const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
  assert.equal((await verifyWebhook(SECRET, lower, BODY, NOW)).ok, true);
});

Deno.test("verifyWebhook checks the raw bytes, so a byte body equals its text", async () => {
  const text = '{"name":"Zoë 💉"}';
  const signed = await signWebhook(SECRET, new TextEncoder().encode(text), NOW);
  assert.equal((await verifyWebhook(SECRET, signed, text, NOW)).ok, true);
});

Deno.test("verifyWebhook accepts one matching v1 entry among several (secret rotation)", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  const old = await signWebhook("whsec_old", BODY, NOW);
  const both = `v0=abc, ${old[SIGNATURE_HEADER]}, ${signed[SIGNATURE_HEADER]}`;
  const result = await verifyWebhook(SECRET, { ...signed, [SIGNATURE_HEADER]: both }, BODY, NOW);
  assert.equal(result.ok, true);
});

Deno.test("verifyWebhook accepts the edges of the 5-minute window", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  assert.equal((await verifyWebhook(SECRET, signed, BODY, later(300))).ok, true);
  assert.equal((await verifyWebhook(SECRET, signed, BODY, later(-300))).ok, true);
});

Deno.test("verifyWebhook refuses a stale timestamp", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  assert.match(await refusal(signed, BODY, later(301)), /stale timestamp \(301 s old\)/);
});

Deno.test("verifyWebhook refuses a timestamp from the future", async () => {
  const signed = await signWebhook(SECRET, BODY, later(301));
  assert.match(await refusal(signed), /301 s in the future/);
});

Deno.test("verifyWebhook honours a custom tolerance", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  const result = await verifyWebhook(SECRET, signed, BODY, later(61), { toleranceSeconds: 60 });
  assert.equal(result.ok, false);
});

Deno.test("verifyWebhook refuses a tampered body", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  assert.equal(await refusal(signed, '{"a":2}'), "signature does not match");
  assert.equal(await refusal(signed, `${BODY} `), "signature does not match");
});

Deno.test("verifyWebhook refuses a request signed with another secret", async () => {
  const signed = await signWebhook("whsec_other", BODY, NOW);
  assert.equal(await refusal(signed), "signature does not match");
});

Deno.test("verifyWebhook refuses a signature moved to another timestamp", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  const moved = { ...signed, [TIMESTAMP_HEADER]: String(NOW.getTime() / 1000 + 1) };
  assert.equal(await refusal(moved), "signature does not match");
});

Deno.test("verifyWebhook refuses missing headers", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  assert.match(
    await refusal({ [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER] }),
    /missing X-PyxGen-Timestamp/,
  );
  assert.match(
    await refusal({ [TIMESTAMP_HEADER]: signed[TIMESTAMP_HEADER] }),
    /missing X-PyxGen-Signature/,
  );
  assert.match(await refusal({}), /missing/);
});

Deno.test("verifyWebhook refuses garbled headers", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  const hex = signed[SIGNATURE_HEADER].slice(3);
  for (const stamp of ["", "abc", "1.5e9", "-1764151200", "1764151200000000"]) {
    const reason = await refusal({ ...signed, [TIMESTAMP_HEADER]: stamp });
    assert.match(reason, /garbled X-PyxGen-Timestamp/, `timestamp ${JSON.stringify(stamp)}`);
  }
  for (const sig of ["", hex, `sha256=${hex}`, "v1=", `v1=${hex.slice(1)}`, `v1=${hex}zz`]) {
    const reason = await refusal({ ...signed, [SIGNATURE_HEADER]: sig });
    assert.match(reason, /garbled X-PyxGen-Signature/, `signature ${JSON.stringify(sig)}`);
  }
});

Deno.test("verifyWebhook refuses everything when the pipeline has no secret", async () => {
  const signed = await signWebhook(SECRET, BODY, NOW);
  assert.match(await refusal(signed, BODY, NOW, ""), /no webhook secret/);
});

Deno.test("timingSafeEqual compares whole arrays", () => {
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assert.equal(timingSafeEqual(new Uint8Array([9, 2, 3]), new Uint8Array([1, 2, 3])), false);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
});
