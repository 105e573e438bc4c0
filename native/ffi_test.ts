import assert from "node:assert/strict";
import { nativeAllowed, nativeEpoch, openLibrary, setNative } from "./ffi.ts";

const CLOSE = { close: { parameters: ["i32"], result: "i32" } } as const;

Deno.test("openLibrary() loads the first library that exists, and none when native code is off", () => {
  assert.ok(nativeAllowed(), "Linux with the ffi permission: native code is allowed here");
  assert.equal(openLibrary(["libnot-there.so.9"], CLOSE), null);
  const libc = openLibrary(["libnot-there.so.9", "libc.so.6"], CLOSE);
  assert.ok(libc);
  assert.equal(libc.close(-1), -1, "close(-1) fails: the real libc answered");
  const before = nativeEpoch();
  setNative(false);
  try {
    assert.notEqual(nativeEpoch(), before, "callers that cached a library are told to look again");
    assert.equal(nativeAllowed(), false);
    assert.equal(openLibrary(["libc.so.6"], CLOSE), null);
  } finally {
    setNative(true);
  }
});
