import assert from "node:assert/strict";
import { setNative } from "../../native/ffi.ts";
import { alignedBytes, DIRECT_BLOCK, DirectFile } from "./_direct_io.ts";

Deno.test("DirectFile writes aligned blocks at their offsets, and refuses what it cannot do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/out.bin`;
    await Deno.writeFile(path, new Uint8Array());
    const direct = DirectFile.open(path);
    assert.ok(direct, "O_DIRECT could not be used in the temp folder (ext4 here)");
    const block = alignedBytes(DIRECT_BLOCK * 2);
    assert.equal(Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(block))) % DIRECT_BLOCK, 0);
    block.fill(7);
    assert.equal(await direct.write(block, DIRECT_BLOCK), true);
    // Not aligned in length: the kernel refuses it and nothing is written.
    assert.equal(await direct.write(block.subarray(0, 100), 0), false);
    direct.close();
    assert.equal(await direct.write(block, 0), false, "a closed DirectFile writes nothing");
    const written = await Deno.readFile(path);
    assert.equal(written.length, DIRECT_BLOCK * 3);
    assert.ok(written.subarray(0, DIRECT_BLOCK).every((b) => b === 0));
    assert.ok(written.subarray(DIRECT_BLOCK).every((b) => b === 7));

    // A symbolic link is never followed, and with native code off nothing is opened.
    await Deno.symlink(path, `${dir}/link.bin`);
    assert.equal(DirectFile.open(`${dir}/link.bin`), undefined);
    setNative(false);
    try {
      assert.equal(DirectFile.open(path), undefined);
    } finally {
      setNative(true);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
