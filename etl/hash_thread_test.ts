import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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

Deno.test("hashFileOnThread gives size and SHA-256, and NotFound for a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = randomChunks(1, 3_000_000)[0];
    await Deno.writeFile(`${dir}/a.bin`, bytes);
    const { sha256, size } = await hashFileOnThread(`${dir}/a.bin`);
    assert.equal(size, bytes.length);
    assert.equal(sha256, createHash("sha256").update(bytes).digest("hex"));
    await assert.rejects(() => hashFileOnThread(`${dir}/missing.csv`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
