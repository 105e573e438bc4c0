import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import {
  assertPasswordAllowed,
  hashPassword,
  needsRehash,
  SCRYPT_PARAMS,
  verifyPassword,
} from "./password.ts";

const PASSWORD = "correct horse battery staple";

Deno.test("hashPassword() gives a self-describing scrypt string that verifies", async () => {
  const stored = await hashPassword(PASSWORD);
  assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  assert.equal(stored.includes(PASSWORD), false);
  assert.equal(await verifyPassword(PASSWORD, stored), true);
  assert.equal(await verifyPassword("correct horse battery stapler", stored), false);
  assert.equal(await verifyPassword("", stored), false);
  assert.equal(needsRehash(stored), false);
});

Deno.test("two hashes of the same password differ (random salt)", async () => {
  const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
  assert.notEqual(a, b);
  assert.notEqual(a.split("$")[4], b.split("$")[4]);
});

Deno.test("verifyPassword() is false for a tampered or malformed hash string", async () => {
  const stored = await hashPassword(PASSWORD);
  const parts = stored.split("$");
  const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
  const tampered = [
    [...parts.slice(0, 5), flip(parts[5])].join("$"), // hash changed
    [...parts.slice(0, 4), flip(parts[4]), parts[5]].join("$"), // salt changed
    ["scrypt", "16384", ...parts.slice(2)].join("$"), // cost lowered
    ["scrypt", String(2 ** 30), ...parts.slice(2)].join("$"), // cost too high to allow
    ["argon2", ...parts.slice(1)].join("$"),
    parts.slice(0, 5).join("$"),
    "",
    "not a hash",
  ];
  for (const t of tampered) assert.equal(await verifyPassword(PASSWORD, t), false, t);
});

Deno.test("needsRehash() is true when the stored parameters differ from the current ones", async () => {
  const weak = await hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 });
  assert.equal(await verifyPassword(PASSWORD, weak), true);
  assert.equal(needsRehash(weak), true);
  assert.equal(needsRehash(weak, { N: 2 ** 14, r: 8, p: 1 }), false);
  assert.equal(needsRehash("garbage"), true);
  assert.deepEqual(SCRYPT_PARAMS, { N: 32768, r: 8, p: 1 });
});

Deno.test("passwords under 12 or over 1024 characters are refused with a clear message", async () => {
  assert.throws(
    () => assertPasswordAllowed("short pass1"),
    (e: unknown) =>
      e instanceof ConfigError && /too short: it has 11 characters and at least 12/.test(e.message),
  );
  assertPasswordAllowed("twelve chars");
  const huge = "x".repeat(1025);
  assert.throws(
    () => assertPasswordAllowed(huge),
    (e: unknown) => e instanceof ConfigError && /too long: .*at most 1024/.test(e.message),
  );
  await assert.rejects(() => hashPassword(huge), ConfigError);
  assert.equal(await verifyPassword(huge, await hashPassword(PASSWORD)), false);
});
