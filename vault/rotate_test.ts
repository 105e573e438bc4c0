import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../etl/errors.ts";
import { toBase64 } from "./_codec.ts";
import { dumpKv, randomMasterKey } from "./_testing.ts";
import { loadMasterKey, type MasterKey, readMasterKeyFile } from "./master_key.ts";
import { rotateMasterKey } from "./rotate.ts";
import { createVault } from "./vault.ts";

const TENANTS = ["acme", "beta", "gamma"];

/** Seal one secret per tenant under `master`; returns tenant → sealed value. */
async function sealAll(kv: Deno.Kv, master: MasterKey, tenants = TENANTS) {
  const vault = createVault(kv, master);
  const sealed = new Map<string, string>();
  for (const tenant of tenants) sealed.set(tenant, await vault.seal(tenant, `pw-of-${tenant}`));
  return sealed;
}

async function masterIds(kv: Deno.Kv): Promise<string[]> {
  const entries = await Array.fromAsync(kv.list<{ masterId: string }>({ prefix: ["tenants"] }));
  return entries.map((e) => e.value.masterId);
}

Deno.test("rotateMasterKey() re-wraps every tenant; old values open with the new key alone", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const [oldMaster, newMaster] = [await randomMasterKey(), await randomMasterKey()];
    const sealed = await sealAll(kv, oldMaster);
    assert.deepEqual(await rotateMasterKey(kv, oldMaster, newMaster), { tenants: 3, skipped: 0 });
    assert.deepEqual(await masterIds(kv), [newMaster.id, newMaster.id, newMaster.id]);
    const after = createVault(kv, newMaster);
    for (const [tenant, value] of sealed) {
      assert.equal(await after.open(tenant, value), `pw-of-${tenant}`);
    }
    await assert.rejects(
      createVault(kv, oldMaster).open("acme", sealed.get("acme")!),
      /MASTER_KEY/,
    );
    assert.deepEqual(await rotateMasterKey(kv, oldMaster, newMaster), { tenants: 0, skipped: 3 });
    assert.ok(!(await dumpKv(kv)).includes("pw-of-"));
  } finally {
    kv.close();
  }
});

Deno.test("during a rotation a vault holding both keys opens and seals for every tenant", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const [oldMaster, newMaster] = [await randomMasterKey(), await randomMasterKey()];
    const many = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const sealed = await sealAll(kv, oldMaster, many);
    const both = createVault(kv, newMaster, { previous: oldMaster });
    const reads = many.map(async (tenant) => {
      assert.equal(await both.open(tenant, sealed.get(tenant)!), `pw-of-${tenant}`);
      return await both.seal(tenant, `late-${tenant}`);
    });
    const [rotation, ...late] = await Promise.all([
      rotateMasterKey(kv, oldMaster, newMaster),
      ...reads,
    ]);
    assert.equal(rotation.tenants, 30);
    // A process still on the old key makes a new tenant; re-running the rotation picks it up.
    const straggler = await sealAll(kv, oldMaster, ["delta"]);
    assert.deepEqual(await rotateMasterKey(kv, oldMaster, newMaster), { tenants: 1, skipped: 30 });
    const fresh = createVault(kv, newMaster);
    for (const [i, tenant] of many.entries()) {
      assert.equal(await fresh.open(tenant, sealed.get(tenant)!), `pw-of-${tenant}`);
      assert.equal(await fresh.open(tenant, late[i] as string), `late-${tenant}`);
    }
    assert.equal(await fresh.open("delta", straggler.get("delta")!), "pw-of-delta");
  } finally {
    kv.close();
  }
});

Deno.test("two rotations at once lose no data key", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const [oldMaster, newMaster] = [await randomMasterKey(), await randomMasterKey()];
    const sealed = await sealAll(kv, oldMaster);
    const results = await Promise.all([
      rotateMasterKey(kv, oldMaster, newMaster),
      rotateMasterKey(kv, oldMaster, newMaster),
    ]);
    assert.equal(results[0].tenants + results[1].tenants, 3);
    const after = createVault(kv, newMaster);
    for (const [tenant, value] of sealed) {
      assert.equal(await after.open(tenant, value), `pw-of-${tenant}`);
    }
  } finally {
    kv.close();
  }
});

Deno.test("rotateMasterKey() refuses to rotate to the key in use", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const master = await randomMasterKey();
    await assert.rejects(rotateMasterKey(kv, master, master), ConfigError);
  } finally {
    kv.close();
  }
});

Deno.test("rotate_cli.ts rotates a KV file from MASTER_KEY to --new-key-file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vault_rotate_cli_" });
  try {
    const kvPath = join(dir, "portal.kv");
    const oldKey = toBase64(crypto.getRandomValues(new Uint8Array(32)));
    const newFile = join(dir, "new.key");
    await Deno.writeTextFile(newFile, toBase64(crypto.getRandomValues(new Uint8Array(32))), {
      mode: 0o600,
    });
    const oldMaster = await loadMasterKey({ env: { MASTER_KEY: oldKey } });
    const kv = await Deno.openKv(kvPath);
    const sealed = await sealAll(kv, oldMaster);
    kv.close();
    const cli = new URL("./rotate_cli.ts", import.meta.url).pathname;
    const run = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, ...args],
        env: { KV_PATH: kvPath, MASTER_KEY: oldKey },
      }).output();
    const out = await run(["--new-key-file", newFile]);
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /data keys of 3 tenant\(s\).*0 already on it/);
    assert.ok(!text.includes(oldKey));
    assert.equal((await run([])).code, 2);
    const reopened = await Deno.openKv(kvPath);
    try {
      const after = createVault(reopened, await readMasterKeyFile(newFile));
      for (const [tenant, value] of sealed) {
        assert.equal(await after.open(tenant, value), `pw-of-${tenant}`);
      }
    } finally {
      reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
