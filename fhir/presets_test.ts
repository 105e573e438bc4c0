import assert from "node:assert/strict";
import { DEFAULT_MRN_SYSTEM, suggestMapping } from "./presets.ts";
import { SYSTEMS } from "./terminology.ts";

Deno.test("suggestMapping() maps a generic clinic patient header", () => {
  const columns = [
    "MRN",
    "First Name",
    "Middle_Name",
    "last_name",
    "DOB",
    "Sex",
    "Phone",
    "E-mail",
    "Street",
    "City",
    "State",
    "Zip Code",
    "Race",
    "Ethnicity",
    "Marital_Status",
    "Death Date",
    "SSN",
    "Favourite Colour",
  ];
  assert.deepEqual(suggestMapping("patient", columns), {
    id: "MRN",
    identifier: [
      { column: "MRN", system: DEFAULT_MRN_SYSTEM, type: "MR" },
      { column: "SSN", system: SYSTEMS.ssn, type: "SS" },
    ],
    given: ["First Name", "Middle_Name"],
    line: ["Street"],
    family: "last_name",
    gender: "Sex",
    birthDate: "DOB",
    deceasedDateTime: "Death Date",
    phone: "Phone",
    email: "E-mail",
    city: "City",
    state: "State",
    postalCode: "Zip Code",
    maritalStatus: "Marital_Status",
    race: "Race",
    ethnicity: "Ethnicity",
  });
});

Deno.test("suggestMapping() prefers the MRN over a bare id and honours identifierSystem", () => {
  const m = suggestMapping("patient", ["id", "patient_id", "surname", "given"], {
    identifierSystem: "https://clinic.example/mrn",
  });
  assert.equal(m.id, "patient_id");
  assert.deepEqual(m.identifier, [
    { column: "patient_id", system: "https://clinic.example/mrn", type: "MR" },
  ]);
  assert.equal(m.family, "surname");
  assert.deepEqual(m.given, ["given"]);
});

Deno.test("suggestMapping() maps a generic immunization header", () => {
  const columns = [
    "mrn",
    "vaccine_code",
    "vaccine_name",
    "administered_on",
    "lot_number",
    "site",
    "route",
    "status",
  ];
  assert.deepEqual(suggestMapping("immunization", columns), {
    patient: "mrn",
    vaccineCode: "vaccine_code",
    vaccineText: "vaccine_name",
    occurrence: "administered_on",
    status: "status",
    lotNumber: "lot_number",
    site: "site",
    route: "route",
  });
  assert.equal(suggestMapping("immunization", ["cvx_code", "date_given"]).vaccineCode, "cvx_code");
  assert.equal(
    suggestMapping("immunization", ["cvx", "Vaccination Date"]).occurrence,
    "Vaccination Date",
  );
});

Deno.test("suggestMapping() leaves out elements it finds no column for", () => {
  assert.deepEqual(suggestMapping("patient", ["foo", "bar"]), {});
});
