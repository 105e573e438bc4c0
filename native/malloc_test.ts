import assert from "node:assert/strict";
import { setNative } from "./ffi.ts";
import { releaseFreeMemory } from "./malloc.ts";

function rssMb(): number {
  return Deno.memoryUsage().rss / 1048576;
}

Deno.test("releaseFreeMemory gives memory freed inside malloc's heap back to the system", () => {
  // 2,000 buffers of 64 KiB (malloc, not mmap), every other one freed: 64 MB of holes that glibc
  // keeps until it is asked to trim.
  const buffers = Array.from({ length: 2000 }, () => new Uint8Array(64 * 1024).fill(1));
  for (let i = 0; i < buffers.length; i += 2) buffers[i].buffer.transfer(0);
  const before = rssMb();
  assert.equal(releaseFreeMemory(performance.now() + 10_000), true);
  const after = rssMb();
  assert.ok(before - after > 40, `RSS ${before.toFixed(0)} MB → ${after.toFixed(0)} MB`);
  assert.equal(buffers[1][0], 1, "what is still held is untouched");
  // At most every half second.
  assert.equal(releaseFreeMemory(performance.now() + 10_100), false);
});

Deno.test("releaseFreeMemory does nothing with native code off", () => {
  setNative(false);
  try {
    assert.equal(releaseFreeMemory(performance.now() + 20_000), false);
  } finally {
    setNative(true);
  }
});
