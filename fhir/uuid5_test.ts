import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { setNative } from "../native/ffi.ts";
import { nativeSha1 } from "../native/sha1.ts";
import { uuidBytes, uuidV5, uuidV5Parts } from "./uuid5.ts";

/** A test run twice: SHA-1 blocks from libcrypto, then from TypeScript. */
function bothWays(name: string, fn: () => void): void {
  for (const native of [true, false]) {
    Deno.test(`${name} (${native ? "libcrypto" : "TypeScript"} SHA-1)`, () => {
      setNative(native);
      try {
        // This machine has libcrypto: the native path must really be the one tested.
        assert.equal(nativeSha1() !== null, native);
        fn();
      } finally {
        setNative(true);
      }
    });
  }
}

const URL_NAMESPACE = uuidBytes("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

bothWays("uuidV5() equals Python's uuid.uuid5 for short, long and non-ASCII names", () => {
  // Values from Python 3: uuid.uuid5(ns, name).
  assert.equal(
    uuidV5(URL_NAMESPACE, "https://pyxgen.dev/fhir/ids"),
    "06ec1a2a-51bf-53f8-bed7-6ddfba70437c",
  );
  const ns = uuidBytes("06ec1a2a-51bf-53f8-bed7-6ddfba70437c");
  assert.equal(uuidV5(ns, "Patient\x1fMRN 001"), "b1da94d3-2bab-57b8-bb2f-ed0820180ff4");
  assert.equal(
    uuidV5(ns, "Immunization\x1fabc\x1f08\x1f2014-02-15T10:14:03Z\x1f"),
    "436498cd-2129-5d48-963e-9e8443c17e64",
  );
  assert.equal(
    uuidV5(ns, "Patient\x1fJosé Ñúñez 😀" + "x".repeat(120)),
    "4f45da9d-89f8-5fc1-8f61-60abba19a573",
  );
});

bothWays("uuidV5Parts() hashes the joined parts without joining them", () => {
  const ns = uuidBytes("06ec1a2a-51bf-53f8-bed7-6ddfba70437c");
  assert.equal(uuidV5Parts(ns, ["Patient", "MRN 001"], "\x1f"), uuidV5(ns, "Patient\x1fMRN 001"));
  const long = ["a".repeat(300), "ü".repeat(200)];
  assert.equal(uuidV5Parts(ns, long, "|"), uuidV5(ns, long.join("|")));
});

Deno.test("uuidBytes() rejects text that is not a UUID", () => {
  assert.throws(() => uuidBytes("not-a-uuid"), /not a UUID/);
});

/** UUIDv5 through node:crypto, to check the JavaScript SHA-1 against. */
function referenceV5(namespace: Uint8Array, name: string): string {
  const hash = createHash("sha1").update(namespace).update(new TextEncoder().encode(name)).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

bothWays("uuidV5Parts() matches node:crypto on 20,000 random part lists sharing prefixes", () => {
  let seed = 11;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = (s: string) => s[Math.floor(rnd() * s.length)];
  const text = (max: number) => {
    let out = "";
    const n = Math.floor(rnd() * max);
    for (let i = 0; i < n; i++) out += pick("abcdef0123456789-.é€😀|");
    return out;
  };
  const namespaces = [uuidBytes("06ec1a2a-51bf-53f8-bed7-6ddfba70437c"), URL_NAMESPACE];
  let parts = ["Immunization", text(60), text(4), text(25)];
  for (let i = 0; i < 20_000; i++) {
    const r = rnd();
    // Mostly small changes at the end, as rows of one patient make; sometimes all new.
    if (r < 0.6) parts = [...parts.slice(0, 2), text(4), text(25), ...(rnd() < 0.5 ? [""] : [])];
    else if (r < 0.8) parts = [parts[0], text(90), text(3)];
    else if (r < 0.9) parts = [text(130)];
    else {
      const ns = namespaces[i % 2];
      assert.equal(uuidV5(ns, parts.join("\x1f")), referenceV5(ns, parts.join("\x1f")));
      continue;
    }
    const ns = namespaces[rnd() < 0.9 ? 0 : 1];
    const sep = rnd() < 0.95 ? "\x1f" : "|";
    assert.equal(uuidV5Parts(ns, parts, sep), referenceV5(ns, parts.join(sep)), parts.join(sep));
  }
});
