import assert from "node:assert/strict";
import { createPatientMapper, type PatientRow } from "./patient.ts";
import { hashId } from "./ids.ts";

const mapping = {
  id: "mrn",
  identifier: [{ column: "mrn", system: "urn:clinic:mrn", type: "MR" }],
  given: ["first", "middle"],
  family: "last",
  maidenName: "maiden",
  gender: "sex",
  birthDate: "dob",
  deceasedDateTime: "died",
  deceasedBoolean: "deceased",
  phone: "phone",
  email: "email",
  line: "street",
  city: "city",
  state: "state",
  postalCode: "zip",
  maritalStatus: "marital",
  race: "race",
  ethnicity: "ethnicity",
};
const map = createPatientMapper(mapping, { country: "US" });
const base = { mrn: "A-1", first: "Ada", last: "Lovelace", sex: "F", dob: "1815-12-10" };
const ok = (row: Record<string, unknown>): PatientRow => {
  const out = map({ ...base, ...row });
  if (typeof out === "string") assert.fail(out);
  return out;
};

Deno.test("patient mapper maps every gender spelling to a FHIR code", () => {
  const cases: [unknown, string][] = [
    ["M", "male"],
    ["m", "male"],
    ["Male", "male"],
    ["F", "female"],
    ["female", "female"],
    ["X", "other"],
    ["U", "unknown"],
    ["", "unknown"],
    [null, "unknown"],
  ];
  for (const [sex, gender] of cases) {
    const row = ok({ sex });
    assert.equal(row.resource.gender, gender, `sex ${sex}`);
    assert.equal(row.gender, gender);
  }
});

Deno.test("patient mapper rejects a gender it cannot map instead of writing it", () => {
  assert.equal(
    map({ ...base, sex: "?" }),
    'Patient.gender: cannot map value to male | female | other | unknown ("?")',
  );
  const custom = createPatientMapper(mapping, { valueMaps: { gender: { "?": "unknown" } } });
  assert.equal((custom({ ...base, sex: "?" }) as PatientRow).resource.gender, "unknown");
});

Deno.test("patient mapper rejects rows without a name or an identity, naming the element", () => {
  assert.equal(
    map({ ...base, first: "", last: " " }),
    "Patient.name: missing (no family or given name in this row)",
  );
  assert.equal(
    map({ ...base, mrn: null }),
    "Patient.identifier: missing (no id or identifier value in this row)",
  );
  assert.equal(
    map({ ...base, dob: "1815-13-10" }),
    'Patient.birthDate: not a valid date ("1815-13-10")',
  );
});

Deno.test("patient mapper builds names, telecom, address and marital status", () => {
  const row = ok({
    middle: "King",
    maiden: "Byron",
    phone: 5550100,
    email: "ada@example.org",
    street: "12 St James's Sq",
    city: "Boston",
    state: "Massachusetts",
    zip: 2118,
    marital: "married",
  });
  const p = row.resource;
  assert.deepEqual(p.name, [
    { use: "official", family: "Lovelace", given: ["Ada", "King"] },
    { use: "maiden", family: "Byron", given: ["Ada", "King"] },
  ]);
  assert.deepEqual(p.telecom, [
    { system: "phone", value: "5550100", use: "home" },
    { system: "email", value: "ada@example.org" },
  ]);
  assert.deepEqual(p.address, [
    { line: ["12 St James's Sq"], city: "Boston", state: "MA", postalCode: "02118", country: "US" },
  ]);
  assert.equal(p.maritalStatus?.coding?.[0].code, "M");
  assert.equal(row.state, "MA");
  assert.equal(row.postal_code, "02118");
  assert.equal(
    ok({ marital: "it's complicated" }).resource.maritalStatus?.text,
    "it's complicated",
  );
});

Deno.test("patient mapper writes death as a date-time or a boolean", () => {
  const died = ok({ died: "1852-11-27" });
  assert.equal(died.resource.deceasedDateTime, "1852-11-27");
  assert.equal(died.deceased, true);
  assert.equal(ok({ deceased: "yes" }).resource.deceasedBoolean, true);
  assert.equal(ok({ deceased: false }).deceased, false);
  assert.equal(ok({ deceased: "1852-11-27" }).resource.deceasedDateTime, "1852-11-27");
  assert.equal(ok({}).deceased, false);
  assert.equal(
    map({ ...base, deceased: "perhaps" }),
    'Patient.deceasedBoolean: not a boolean or date ("perhaps")',
  );
});

Deno.test("patient mapper writes US Core race and ethnicity with OMB codes and text", () => {
  const p = ok({ race: "Black or African American", ethnicity: "Not Hispanic or Latino" }).resource;
  assert.deepEqual(p.extension, [
    {
      url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
      extension: [
        {
          url: "ombCategory",
          valueCoding: {
            system: "urn:oid:2.16.840.1.113883.6.238",
            code: "2054-5",
            display: "Black or African American",
          },
        },
        { url: "text", valueString: "Black or African American" },
      ],
    },
    {
      url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
      extension: [
        {
          url: "ombCategory",
          valueCoding: {
            system: "urn:oid:2.16.840.1.113883.6.238",
            code: "2186-5",
            display: "Not Hispanic or Latino",
          },
        },
        { url: "text", valueString: "Not Hispanic or Latino" },
      ],
    },
  ]);
  // A value with no OMB code keeps its text and gets no code.
  const other = ok({ race: "Martian" }).resource.extension?.[0];
  assert.deepEqual(other?.extension, [{ url: "text", valueString: "Martian" }]);
  assert.equal(
    ok({ race: "declined" }).resource.extension?.[0].extension?.[0].valueCoding?.code,
    "ASKU",
  );
});

Deno.test("patient ids are deterministic and hash keys that are not FHIR ids", () => {
  assert.equal(ok({}).id, "A-1");
  const a = ok({ mrn: "MRN 001/7" }), b = ok({ mrn: "MRN 001/7" }), c = ok({ mrn: "MRN 001/8" });
  assert.equal(a.id, b.id);
  assert.notEqual(a.id, c.id);
  assert.equal(a.id, hashId("Patient", ["MRN 001/7"]));
  assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const long = "x".repeat(65);
  assert.equal(ok({ mrn: long }).id, hashId("Patient", [long]));
});

Deno.test("patient without an id column gets an id from its identifiers", () => {
  const noId = createPatientMapper({ ...mapping, id: undefined });
  const a = noId(base) as PatientRow, b = noId({ ...base, first: "Augusta" }) as PatientRow;
  assert.equal(a.id, b.id); // same identifier, same patient
  assert.notEqual(a.id, (noId({ ...base, mrn: "A-2" }) as PatientRow).id);
});
