import assert from "node:assert/strict";
import { randomMasterKey } from "./_testing.ts";
import { isSealed, keepSecrets, MASK, mask } from "./fields.ts";
import { createVault } from "./vault.ts";

Deno.test("sealFields() seals only the named secrets and openFields() restores them", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const vault = createVault(kv, await randomMasterKey());
    const input = { host: "db", port: 5432, password: "pw", token: "v1.looks.sealed", note: null };
    const stored = await vault.sealFields("acme", input, ["password", "token", "note", "absent"]);
    assert.deepEqual([stored.host, stored.port, stored.note], ["db", 5432, null]);
    assert.ok(isSealed(stored.password) && isSealed(stored.token));
    assert.equal("absent" in stored, false);
    const again = await vault.sealFields("acme", stored, ["password", "token"]);
    assert.deepEqual(again, stored, "an already sealed field is left alone");
    assert.deepEqual(await vault.openFields("acme", stored, ["password", "token"]), input);
    assert.equal(input.password, "pw", "the input object is not changed");
  } finally {
    kv.close();
  }
});

Deno.test("sealFields() refuses a secret that is not a string, naming the field only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const vault = createVault(kv, await randomMasterKey());
    await assert.rejects(
      vault.sealFields("acme", { pin: 1234 }, ["pin"]),
      /Secret field "pin" must be a string to be sealed, not number/,
    );
  } finally {
    kv.close();
  }
});

Deno.test("mask() hides set secrets and leaves everything else", () => {
  const config = { host: "db", password: { $sealed: "v1.a.b" }, token: "t", empty: "" };
  assert.deepEqual(mask(config, ["password", "token", "empty", "absent"]), {
    host: "db",
    password: MASK,
    token: MASK,
    empty: "",
  });
});

Deno.test("keepSecrets() keeps a stored secret that was not retyped", () => {
  const stored = { host: "db", password: { $sealed: "v1.a.b" }, token: { $sealed: "v1.c.d" } };
  const edited = { host: "db2", password: MASK, token: "new-token" };
  assert.deepEqual(keepSecrets(edited, stored, ["password", "token", "absent"]), {
    host: "db2",
    password: stored.password,
    token: "new-token",
  });
  assert.deepEqual(keepSecrets({ host: "x" }, stored, ["password"]).password, stored.password);
});
