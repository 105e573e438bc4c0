import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Stream } from "../../native/sha256.ts";
import { DirectFile } from "./_direct_io.ts";
import { WriteBehind } from "./_write_behind.ts";

for (const mode of ["buffered", "direct"] as const) {
  Deno.test(`WriteBehind (${mode}) writes every chunk in order, reusable at once, and hashes what it wrote`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = await Deno.open(`${dir}/out.ndjson`, { write: true, createNew: true });
      const direct = mode === "direct" ? DirectFile.open(`${dir}/out.ndjson`) : undefined;
      // This machine's temp folder is on ext4: the direct path must really be taken here.
      if (mode === "direct") assert.ok(direct, "O_DIRECT could not be used in the temp folder");
      const out = new WriteBehind(file, sha256Stream({ native: mode === "direct" }), direct);
      const expected = createHash("sha256");
      const all: number[] = [];
      // One buffer reused for every chunk, as encoders do; sizes cross the 4 MiB gathering buffer.
      const reused = new Uint8Array(5_000_000);
      for (let i = 0; i < 40; i++) {
        const n = i % 7 === 0 ? 4_500_000 : 1 + ((i * 7919) % 900_000);
        const chunk = reused.subarray(0, n);
        chunk.fill(i);
        expected.update(chunk);
        all.push(n);
        await out.put(chunk);
        chunk.fill(255); // must not reach the file
      }
      await out.drain();
      const hex = await out.digest();
      out.close();
      file.close();
      const written = await Deno.readFile(`${dir}/out.ndjson`);
      assert.equal(written.length, all.reduce((a, b) => a + b, 0));
      let at = 0;
      for (let i = 0; i < all.length; i++) {
        assert.ok(written.subarray(at, at + all[i]).every((b) => b === i), `chunk ${i}`);
        at += all[i];
      }
      assert.equal(hex, expected.digest("hex"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("WriteBehind reports a failed write at drain, and nothing waits forever", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ro.txt`, "");
    // Opened for reading only: every write fails.
    const file = await Deno.open(`${dir}/ro.txt`, { read: true });
    const out = new WriteBehind(file);
    await out.put(new Uint8Array(100).fill(65));
    await assert.rejects(async () => {
      await out.drain();
      await out.put(new Uint8Array(10));
    });
    await assert.rejects(() => out.put(new Uint8Array(10)));
    file.close();
    assert.equal(await Deno.readTextFile(`${dir}/ro.txt`), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Puts `sizes` chunks of distinct bytes; returns everything put, in order. */
async function putChunks(out: WriteBehind, sizes: number[], seed: number): Promise<Uint8Array> {
  const all = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const [i, n] of sizes.entries()) {
    const chunk = new Uint8Array(n).map((_, k) => (seed + i * 31 + k * 7) & 255);
    all.set(chunk, at);
    at += n;
    await out.put(chunk);
  }
  return all;
}

/** A new file in a temporary folder with a direct-writing WriteBehind on it, for `fn`. */
async function withDirect(
  fn: (out: WriteBehind, path: string, direct: DirectFile) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/out.ndjson`;
    using file = await Deno.open(path, { write: true, createNew: true });
    const direct = DirectFile.open(path);
    assert.ok(direct, "O_DIRECT could not be used in the temp folder (ext4 here)");
    const out = new WriteBehind(file, sha256Stream(), direct);
    await fn(out, path, direct);
    out.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The file holds exactly `parts`, one after the other, and `hex` is their SHA-256. */
async function assertHolds(path: string, parts: Uint8Array[], hex: string | undefined) {
  const expected = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    expected.set(part, at);
    at += part.length;
  }
  const written = await Deno.readFile(path);
  assert.equal(written.length, expected.length);
  assert.ok(written.every((b, i) => b === expected[i]), "the file holds exactly what was put");
  assert.equal(hex, createHash("sha256").update(expected).digest("hex"));
}

Deno.test("WriteBehind (direct): a drain between blocks writes the tail, and writing goes on after it", async () => {
  await withDirect(async (out, path) => {
    // 10,000 bytes: two whole blocks and a tail of 1,808, all on disk after the drain (a checkpoint).
    const first = await putChunks(out, [3000, 7000], 1);
    await out.drain();
    assert.deepEqual(await Deno.readFile(path), first);
    // Then more than a gathering buffer in one chunk, and an odd tail again.
    const second = await putChunks(out, [5_000_001, 17, 4096], 2);
    await out.drain();
    await out.drain(); // a second drain with nothing new changes nothing
    await assertHolds(path, [first, second], await out.digest());
  });
});

Deno.test("WriteBehind (direct): a direct write that fails is written the usual way, nothing lost", async () => {
  await withDirect(async (out, path, direct) => {
    const first = await putChunks(out, [3_000_000], 3);
    await out.drain();
    // From now on every direct write fails (its descriptor is gone), as on a full disk.
    direct.close();
    const second = await putChunks(out, [2_500_000, 999], 4);
    await out.drain();
    await assertHolds(path, [first, second], await out.digest());
  });
});
