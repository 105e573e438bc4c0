import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { setNative } from "../native/ffi.ts";
import { nativeSha256 } from "../native/sha256.ts";
import { hashFileOnThread } from "./hash_thread.ts";

function randomChunks(count: number, max: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = new Uint8Array(Math.floor(Math.random() * max) + 1);
    crypto.getRandomValues(chunk.subarray(0, Math.min(chunk.length, 65536)));
    chunk[chunk.length - 1] = i;
    chunks.push(chunk);
  }
  return chunks;
}

for (const native of [true, false]) {
  Deno.test(`hashFileOnThread (${native ? "libcrypto" : "Web Worker"}) gives size and SHA-256, and NotFound for a missing file`, async () => {
    setNative(native);
    const dir = await Deno.makeTempDir();
    try {
      assert.equal(nativeSha256(), native, "libcrypto is here: both ways are really tested");
      const bytes = randomChunks(1, 3_000_000)[0];
      await Deno.writeFile(`${dir}/a.bin`, bytes);
      const { sha256, size } = await hashFileOnThread(`${dir}/a.bin`);
      assert.equal(size, bytes.length);
      assert.equal(sha256, createHash("sha256").update(bytes).digest("hex"));
      await assert.rejects(() => hashFileOnThread(`${dir}/missing.csv`), Deno.errors.NotFound);
      await Deno.writeFile(`${dir}/empty.csv`, new Uint8Array());
      assert.deepEqual(await hashFileOnThread(`${dir}/empty.csv`), {
        sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        size: 0,
      });
    } finally {
      setNative(true);
      await Deno.remove(dir, { recursive: true });
    }
  });
}
