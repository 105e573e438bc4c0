import assert from "node:assert/strict";
import { setNative } from "./ffi.ts";
import { releaseFreeMemory } from "./malloc.ts";

function rssMb(): number {
  return Deno.memoryUsage().rss / 1048576;
}

Deno.test("releaseFreeMemory gives memory freed inside malloc's heap back to the system", () => {
  // 3,000 buffers of 64 KiB (malloc, not mmap), every other one freed: 96 MB of holes that glibc
  // keeps until it is asked to trim. RSS is the whole process's, and tests in other workers
  // allocate meanwhile (CI once saw 31 MB of 64 come back), so it is tried up to three times.
  const drops: number[] = [];
  let now = performance.now() + 10_000;
  for (let attempt = 0; attempt < 3; attempt++, now += 1_000) {
    const buffers = Array.from({ length: 3000 }, () => new Uint8Array(64 * 1024).fill(1));
    for (let i = 0; i < buffers.length; i += 2) buffers[i].buffer.transfer(0);
    const before = rssMb();
    assert.equal(releaseFreeMemory(now), true);
    drops.push(before - rssMb());
    assert.equal(buffers[1][0], 1, "what is still held is untouched");
    if (drops.at(-1)! > 40) break;
  }
  assert.ok(drops.at(-1)! > 40, `RSS fell by ${drops.map((d) => d.toFixed(0)).join(", ")} MB`);
  // At most every half second.
  assert.equal(releaseFreeMemory(now + 100), false);
});

Deno.test("releaseFreeMemory does nothing with native code off", () => {
  setNative(false);
  try {
    assert.equal(releaseFreeMemory(performance.now() + 20_000), false);
  } finally {
    setNative(true);
  }
});
