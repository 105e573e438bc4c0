import assert from "node:assert/strict";
import { toBase64 } from "./_codec.ts";
import { dumpKv, randomMasterKey } from "./_testing.ts";
import { VaultError } from "./errors.ts";
import { createVault } from "./vault.ts";

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** Flip one character of the sealed value's part `index` (1: IV, 2: ciphertext). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(".");
  const chars = [...parts[index]];
  chars[3] = chars[3] === "A" ? "B" : "A";
  parts[index] = chars.join("");
  return parts.join(".");
}

Deno.test("seal() then open() gives the secret back, including unicode and empty", async () => {
  await withKv(async (kv) => {
    const vault = createVault(kv, await randomMasterKey());
    for (const secret of ["s3cret", "", "pässwörd 🔑", "v1.abc.def", "x".repeat(10_000)]) {
      const sealed = await vault.seal("acme", secret);
      assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      assert.equal(await vault.open("acme", sealed), secret);
    }
  });
});

Deno.test("seal() gives a different value each time for the same secret", async () => {
  await withKv(async (kv) => {
    const vault = createVault(kv, await randomMasterKey());
    const values = await Promise.all(Array.from({ length: 10 }, () => vault.seal("acme", "pw")));
    assert.equal(new Set(values).size, 10);
  });
});

Deno.test("open() refuses another tenant's sealed value without naming the secret", async () => {
  await withKv(async (kv) => {
    const vault = createVault(kv, await randomMasterKey());
    await vault.seal("beta", "beta's own");
    const sealed = await vault.seal("acme", "acme-password-123");
    const err = await vault.open("beta", sealed).catch((e) => e);
    assert.ok(err instanceof VaultError);
    assert.match(err.message, /tenant "beta" could not be decrypted.*another tenant/);
    assert.doesNotMatch(err.message, /acme-password-123/);
    assert.ok(!err.message.includes(sealed.split(".")[2]));
  });
});

Deno.test("open() refuses a changed ciphertext or IV, and a value that is not sealed", async () => {
  await withKv(async (kv) => {
    const vault = createVault(kv, await randomMasterKey());
    const sealed = await vault.seal("acme", "pw");
    for (const bad of [tamper(sealed, 2), tamper(sealed, 1), sealed.slice(0, -2)]) {
      await assert.rejects(vault.open("acme", bad), VaultError);
    }
    await assert.rejects(vault.open("acme", "hunter2"), (err: Error) => {
      assert.ok(err instanceof VaultError);
      assert.match(err.message, /not a sealed value/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});

Deno.test("open() with the wrong master key fails and names only key ids", async () => {
  await withKv(async (kv) => {
    const right = await randomMasterKey();
    const wrong = await randomMasterKey();
    const sealed = await createVault(kv, right).seal("acme", "pw-under-right-key");
    const err = await createVault(kv, wrong).open("acme", sealed).catch((e) => e);
    assert.ok(err instanceof VaultError);
    assert.match(err.message, new RegExp(`master key ${right.id}.*only ${wrong.id}`));
    assert.match(err.message, /MASTER_KEY/);
    assert.doesNotMatch(err.message, /pw-under-right-key/);
  });
});

Deno.test("open() for a tenant without a data key fails and creates none", async () => {
  await withKv(async (kv) => {
    const master = await randomMasterKey();
    const sealed = await createVault(kv, master).seal("acme", "pw");
    await assert.rejects(createVault(kv, master).open("other", sealed), /has no data key/);
    assert.equal((await kv.get(["tenants", "other", "vault", "data_key"])).value, null);
  });
});

Deno.test("20 concurrent first seals from separate vaults share one data key", async () => {
  await withKv(async (kv) => {
    const master = await randomMasterKey();
    const sealed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createVault(kv, master).seal("acme", `secret-${i}`)),
    );
    const reader = createVault(kv, master);
    for (const [i, value] of sealed.entries()) {
      assert.equal(await reader.open("acme", value), `secret-${i}`);
    }
    const keys = await Array.fromAsync(kv.list({ prefix: ["tenants", "acme", "vault"] }));
    assert.equal(keys.length, 1);
    const index = await Array.fromAsync(kv.list({ prefix: ["system", "vault_tenants"] }));
    assert.deepEqual(index.map((e) => e.key), [["system", "vault_tenants", "acme"]]);
  });
});

Deno.test("a planted secret never appears in any stored KV value", async () => {
  await withKv(async (kv) => {
    const planted = "PLANTED-s3cret-4f9a";
    const vault = createVault(kv, await randomMasterKey());
    const config = await vault.sealFields("acme", { host: "db", password: planted }, ["password"]);
    await kv.set(["tenants", "acme", "connections", "c1"], config);
    await kv.set(["tenants", "acme", "plain"], await vault.seal("acme", planted));
    const dump = await dumpKv(kv);
    assert.match(dump, /data_key/);
    for (const form of [planted, toBase64(new TextEncoder().encode(planted)), "s3cret"]) {
      assert.ok(!dump.includes(form), `KV holds the secret as ${form}`);
    }
    assert.equal((await vault.openFields("acme", config, ["password"])).password, planted);
  });
});
