import assert from "node:assert/strict";
import { uuidBytes, uuidV5, uuidV5Parts } from "./uuid5.ts";

const URL_NAMESPACE = uuidBytes("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

Deno.test("uuidV5() equals Python's uuid.uuid5 for short, long and non-ASCII names", () => {
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

Deno.test("uuidV5Parts() hashes the joined parts without joining them", () => {
  const ns = uuidBytes("06ec1a2a-51bf-53f8-bed7-6ddfba70437c");
  assert.equal(uuidV5Parts(ns, ["Patient", "MRN 001"], "\x1f"), uuidV5(ns, "Patient\x1fMRN 001"));
  const long = ["a".repeat(300), "ü".repeat(200)];
  assert.equal(uuidV5Parts(ns, long, "|"), uuidV5(ns, long.join("|")));
});

Deno.test("uuidBytes() rejects text that is not a UUID", () => {
  assert.throws(() => uuidBytes("not-a-uuid"), /not a UUID/);
});
