import assert from "node:assert/strict";
import { LOGIN_FAILED, LoginError, LoginRateLimitedError, verifyLogin } from "./login.ts";
import { hashPassword, needsRehash, verifyPassword } from "./password.ts";
import { findUserRecordByEmail, signUp } from "./store.ts";

const PASSWORD = "a long enough passphrase";
const NOW = new Date("2025-03-01T12:00:00Z");
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

async function withAccount(
  fn: (kv: Deno.Kv, email: string) => Promise<void>,
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await signUp(kv, { organisation: "A", email: "ann@a.example", password: PASSWORD });
    await fn(kv, "ann@a.example");
  } finally {
    kv.close();
  }
}

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the sign-in to fail");
}

Deno.test("verifyLogin() gives the same message for an unknown email and a wrong password", () =>
  withAccount(async (kv, email) => {
    const opts = { ip: "203.0.113.1", now: NOW };
    const user = await verifyLogin(kv, " ANN@a.example ", PASSWORD, opts);
    assert.equal(user.email, email);
    assert.equal("passwordHash" in user, false);

    const wrong = await failureOf(verifyLogin(kv, email, "not the passphrase", opts));
    const unknown = await failureOf(verifyLogin(kv, "bob@a.example", PASSWORD, opts));
    for (const e of [wrong, unknown]) {
      assert.ok(e instanceof LoginError);
      assert.equal(e.message, LOGIN_FAILED);
      assert.equal(e.message, "The email or password is not right");
    }
  }));

Deno.test("after 5 failures for an email even the right password is refused until the window ends", () =>
  withAccount(async (kv, email) => {
    for (let i = 0; i < 5; i++) {
      // From different addresses: the per-account limit does not depend on the IP.
      const e = await failureOf(
        verifyLogin(kv, email, `wrong ${i}`, { ip: `198.51.100.${i}`, now: NOW }),
      );
      assert.ok(e instanceof LoginError, `attempt ${i + 1}: ${e.message}`);
    }
    const sixth = await failureOf(
      verifyLogin(kv, email, PASSWORD, { ip: "192.0.2.7", now: later(1) }),
    );
    assert.ok(sixth instanceof LoginRateLimitedError);
    assert.equal(sixth.message, "Too many sign-in attempts; wait 14 minutes");

    // Another account from one of those addresses is not affected.
    await signUp(kv, { organisation: "B", email: "bea@b.example", password: PASSWORD });
    await verifyLogin(kv, "bea@b.example", PASSWORD, { ip: "198.51.100.0", now: later(1) });

    // Once the window is over, the right password works again and clears the count.
    const user = await verifyLogin(kv, email, PASSWORD, { ip: "192.0.2.7", now: later(15) });
    assert.equal(user.email, email);
    for (let i = 0; i < 4; i++) {
      await failureOf(verifyLogin(kv, email, "wrong", { ip: "192.0.2.7", now: later(16) }));
    }
    await verifyLogin(kv, email, PASSWORD, { ip: "192.0.2.7", now: later(16) });
  }));

Deno.test("after 20 failures from one address, it is refused for every account; others are not", () =>
  withAccount(async (kv, email) => {
    const ip = "203.0.113.50";
    for (let i = 0; i < 20; i++) {
      // 4 unknown addresses at a time: each stays under its own limit of 5.
      const e = await failureOf(
        verifyLogin(kv, `guess${i % 5}@a.example`, PASSWORD, { ip, now: NOW }),
      );
      assert.ok(e instanceof LoginError, `attempt ${i + 1}: ${e.message}`);
    }
    const blocked = await failureOf(verifyLogin(kv, email, PASSWORD, { ip, now: later(5) }));
    assert.ok(blocked instanceof LoginRateLimitedError);
    assert.equal(blocked.message, "Too many sign-in attempts; wait 10 minutes");

    const user = await verifyLogin(kv, email, PASSWORD, { ip: "203.0.113.51", now: later(5) });
    assert.equal(user.email, email);
  }));

Deno.test("a sign-in upgrades a hash made with older scrypt parameters", () =>
  withAccount(async (kv, email) => {
    const found = (await findUserRecordByEmail(kv, email))!;
    const weak = await hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 });
    await kv.set(found.key, { ...found.value, passwordHash: weak });
    await verifyLogin(kv, email, PASSWORD, { ip: "203.0.113.1", now: NOW });
    const after = (await findUserRecordByEmail(kv, email))!.value.passwordHash;
    assert.equal(needsRehash(after), false);
    assert.equal(await verifyPassword(PASSWORD, after), true);
  }));
