import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../etl/errors.ts";
import { toBase64 } from "./_codec.ts";
import { defaultKeyFile, loadMasterKey, masterKeyNotice } from "./master_key.ts";

const posix = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "vault_master_key_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadMasterKey() generates a 0600 key file beside the KV file, then reuses it", async () => {
  await withDir(async (dir) => {
    const kvPath = join(dir, "local", "portal.kv");
    const first = await loadMasterKey({ env: {}, kvPath });
    assert.equal(first.source, "generated");
    assert.equal(first.path, join(dir, "local", "master.key"));
    assert.match(first.id, /^[0-9a-f]{8}$/);
    if (posix) assert.equal((await Deno.stat(first.path!)).mode! & 0o777, 0o600);
    assert.match(masterKeyNotice(first), new RegExp(`at ${first.path} with mode 0600`));
    const again = await loadMasterKey({ env: {}, kvPath });
    assert.deepEqual([again.source, again.id, again.path], ["file", first.id, first.path]);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(join(dir, "local")))).length, 1);
  });
});

Deno.test("loadMasterKey() started five times at once makes one key", async () => {
  await withDir(async (dir) => {
    const kvPath = join(dir, "portal.kv");
    const keys = await Promise.all(
      Array.from({ length: 5 }, () => loadMasterKey({ env: {}, kvPath })),
    );
    assert.equal(new Set(keys.map((k) => k.id)).size, 1);
    assert.equal(keys.filter((k) => k.source === "generated").length, 1);
  });
});

Deno.test({
  name: "loadMasterKey() refuses a key file others can read and says to chmod 600",
  ignore: !posix,
  fn: async () => {
    await withDir(async (dir) => {
      const kvPath = join(dir, "portal.kv");
      const { path } = await loadMasterKey({ env: {}, kvPath });
      await Deno.chmod(path!, 0o644);
      await assert.rejects(loadMasterKey({ env: {}, kvPath }), (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /mode 644/);
        assert.ok(err.message.includes(`chmod 600 ${path}`));
        return true;
      });
      await assert.rejects(loadMasterKey({ env: { MASTER_KEY: `file:${path}` } }), /chmod 600/);
    });
  },
});

Deno.test("loadMasterKey() in production refuses to generate and names MASTER_KEY", async () => {
  await withDir(async (dir) => {
    const kvPath = join(dir, "portal.kv");
    await assert.rejects(loadMasterKey({ env: {}, kvPath, mode: "production" }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /MASTER_KEY is not set; production needs it/);
      return true;
    });
    await assert.rejects(loadMasterKey({ env: {}, kvPath, generate: false }), /does not exist/);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  });
});

Deno.test("loadMasterKey() takes MASTER_KEY as base64 or file:, the same key either way", async () => {
  await withDir(async (dir) => {
    const encoded = toBase64(crypto.getRandomValues(new Uint8Array(32)));
    const path = join(dir, "prod.key");
    await Deno.writeTextFile(path, `${encoded}\n`, { mode: 0o600 });
    const fromEnv = await loadMasterKey({ env: { MASTER_KEY: encoded }, mode: "production" });
    const fromFile = await loadMasterKey({ env: { MASTER_KEY: `file:${path}` } });
    assert.equal(fromEnv.source, "env");
    assert.deepEqual([fromFile.source, fromFile.path], ["file", path]);
    assert.equal(fromEnv.id, fromFile.id);
    assert.equal(fromEnv.key.extractable, false);
  });
});

Deno.test("loadMasterKey() refuses a MASTER_KEY that is not 32 bytes without echoing it", async () => {
  const short = toBase64(new TextEncoder().encode("too-short-key"));
  await assert.rejects(loadMasterKey({ env: { MASTER_KEY: short } }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /MASTER_KEY holds 13 bytes, not 32/);
    assert.ok(!err.message.includes(short));
    return true;
  });
  await assert.rejects(loadMasterKey({ env: { MASTER_KEY: "not base64!" } }), /not base64/);
});

Deno.test("defaultKeyFile() puts the key beside a KV file, else under data/local", () => {
  assert.match(defaultKeyFile("/srv/portal.kv"), /^\/srv\/master\.key$/);
  assert.match(defaultKeyFile(":memory:"), /data\/local\/master\.key$/);
  assert.match(defaultKeyFile("https://kv.example.org/db"), /data\/local\/master\.key$/);
});
