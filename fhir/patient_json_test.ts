import assert from "node:assert/strict";
import type { Patient } from "fhir-types/r4";
import { JsonBuffer, writeJsonWith } from "../etl/format/json_bytes.ts";
import { createPatientMapper, type PatientRow } from "./patient.ts";
import { writePatientJson } from "./patient_json.ts";

const decoder = new TextDecoder();

const mapping = {
  id: "mrn",
  identifier: [
    { column: "mrn", system: "urn:clinic:mrn", type: "MR" },
    { column: "ssn", system: "http://hl7.org/fhir/sid/us-ssn", type: "SS" },
    { column: "chart", system: "urn:clinic:chart" },
  ],
  given: ["first", "middle"],
  prefix: "title",
  suffix: "suffix",
  family: "last",
  maidenName: "maiden",
  gender: "sex",
  birthDate: "dob",
  deceasedDateTime: "died",
  deceasedBoolean: "deceased",
  phone: "phone",
  email: "email",
  line: ["street", "unit"],
  city: "city",
  district: "county",
  state: "state",
  postalCode: "zip",
  country: "country",
  maritalStatus: "marital",
  race: "race",
  ethnicity: "ethnicity",
};

// Each column gets one of these, or is left out: names with quotes, backslashes, control
// characters, non-ASCII letters, an emoji and a lone surrogate, blanks that drop an element.
const CHOICES: Record<string, unknown[]> = {
  mrn: ["A-1", "b.2", "not an id!"],
  ssn: ["999-12-3456", "", undefined],
  chart: ["C 7", undefined],
  first: ["Ada", 'Jo "JJ"', "Zoë", undefined],
  middle: ["Lee", "", undefined],
  title: ["Dr.", undefined],
  suffix: ["Jr.", undefined],
  last: ["O'Brien; DROP TABLE x", "Back\\slash", "Tab\there", "Ñúñez😀", "Half\ud800", undefined],
  maiden: ["Byron", undefined],
  sex: ["F", "male", "u", undefined],
  dob: ["1815-12-10", "12/10/1815", undefined],
  died: ["1852-11-27T10:00:00Z", "", undefined],
  deceased: ["yes", "no", "1852-11-27", undefined],
  phone: ["555-0100", undefined],
  email: ["ada@example.org", undefined],
  street: ["12 St James's Square", undefined],
  unit: ["Flat 2", undefined],
  city: ["London", undefined],
  county: ["Westminster", undefined],
  state: ["Massachusetts", "MA", "Nowhere", undefined],
  zip: ["02451", 2451, undefined],
  country: ["UK", undefined],
  marital: ["M", "Divorced", "it's complicated", undefined],
  race: ["white", "asian", "Martian", undefined],
  ethnicity: ["hispanic", "nonhispanic", "Other", undefined],
};

/** A deterministic stream of rows choosing among CHOICES (no Math.random: failures repeat). */
function* rows(count: number): Generator<Record<string, unknown>> {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const row: Record<string, unknown> = {};
    for (const [column, values] of Object.entries(CHOICES)) {
      const v = values[next(values.length)];
      if (v !== undefined) row[column] = v;
    }
    yield row;
  }
}

function mapped(count: number): Patient[] {
  const map = createPatientMapper(mapping, { country: "US" });
  const out: Patient[] = [];
  for (const row of rows(count)) {
    const r = map(row);
    if (typeof r !== "string") out.push((r as PatientRow).resource);
  }
  return out;
}

Deno.test("the Patient writer writes what JSON.stringify writes, for every element the mapper makes", () => {
  const resources = mapped(3000);
  assert.ok(resources.length > 1000, `${resources.length} of 3000 rows mapped`);
  const seen = new Set<string>();
  const buf = new JsonBuffer();
  buf.begin();
  for (const p of resources) {
    for (const key of Object.keys(p)) seen.add(key);
    for (const n of p.name ?? []) seen.add(`name.${n.use}.${Object.keys(n).join(",")}`);
    assert.ok(writePatientJson(p, buf), "the writer takes every resource the mapper made");
    assert.equal(decoder.decode(buf.bytes()), JSON.stringify(p));
    buf.json(p); // and the buffer hands it to the writer
    assert.equal(decoder.decode(buf.bytes()), JSON.stringify(p));
  }
  // The rows above reached every element and both orders of a maiden name's keys.
  for (
    const key of [
      "extension",
      "identifier",
      "telecom",
      "deceasedDateTime",
      "deceasedBoolean",
      "address",
      "maritalStatus",
      "name.maiden.use,family,given,prefix,suffix",
      "name.maiden.use,given,prefix,suffix,family",
    ]
  ) assert.ok(seen.has(key), `no row made ${key}`);
});

Deno.test("a copy of a mapped Patient, or one with wrong types, is written on the general path", () => {
  const [p] = mapped(1);
  const buf = new JsonBuffer();
  buf.begin();
  // A copy keeps the mark but is not the value it names, so its new key is written.
  const copy = { ...p, meta: { source: "copy" } };
  buf.json(copy);
  assert.equal(decoder.decode(buf.bytes()), JSON.stringify(copy));
  // A value marked by hand whose gender is not text: the writer gives up, nothing is lost.
  const odd = writeJsonWith({ ...p, gender: 7 } as unknown as Patient, writePatientJson);
  buf.json(odd);
  assert.equal(decoder.decode(buf.bytes()), JSON.stringify(odd));
  assert.match(JSON.stringify(odd), /"gender":7/);
});
