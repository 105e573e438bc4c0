import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { setNative } from "./ffi.ts";
import { nativeSha256, sha256Stream } from "./sha256.ts";

Deno.test("sha256Stream() gives node:crypto's digest, natively and not, over uneven chunks", async () => {
  const data = new Uint8Array(3_000_003).map((_, i) => (i * 131 + (i >> 9)) & 255);
  const cuts = [0, 0, 1, 63, 64, 65, 1_000_000, 2_999_999, 3_000_003];
  const expected = createHash("sha256").update(data).digest("hex");
  // This machine has libcrypto, so the native path is the one under test first.
  assert.ok(nativeSha256(), "libcrypto could not be loaded");
  for (const native of [true, false]) {
    const hash = sha256Stream({ native });
    for (let i = 1; i < cuts.length; i++) await hash.update(data.subarray(cuts[i - 1], cuts[i]));
    assert.equal(hash.digest(), expected, native ? "native" : "node:crypto");
  }
  assert.equal(
    sha256Stream().digest(),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "nothing hashed",
  );
});

Deno.test("with native code turned off, sha256Stream() still hashes, with node:crypto", async () => {
  setNative(false);
  try {
    assert.equal(nativeSha256(), false);
    const hash = sha256Stream();
    await hash.update(new TextEncoder().encode("abc"));
    assert.equal(
      hash.digest(),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  } finally {
    setNative(true);
  }
});
