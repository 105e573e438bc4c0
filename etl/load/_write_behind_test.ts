import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { WriteBehind } from "./_write_behind.ts";

Deno.test("WriteBehind writes every chunk in order, reusable at once, and hashes what it wrote", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await Deno.open(`${dir}/out.ndjson`, { write: true, createNew: true });
    const out = new WriteBehind(file, createHash("sha256"));
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
    const hex = out.digest();
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
