import assert from "node:assert/strict";
import { ImmunizationConfig, PatientConfig } from "./config.ts";
import { resolveImmunization, resolvePatient } from "./resolve.ts";

const SYNTHEA_25 =
  "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE"
    .split(",");
const patient = (config: unknown) => PatientConfig.parse(config);

Deno.test("resolvePatient() matches Synthea columns raw or normalized to snake_case", () => {
  const raw = resolvePatient(patient({ preset: "synthea" }), SYNTHEA_25);
  assert.deepEqual(raw.problems, []);
  assert.equal(raw.resolved.birthDate, "BIRTHDATE");
  assert.deepEqual(raw.resolved.given, ["FIRST"]); // MIDDLE is absent from the 25-column file
  assert.equal(raw.country, "US");
  const snake = resolvePatient(
    patient({ preset: "synthea" }),
    SYNTHEA_25.map((c) => c.toLowerCase()),
  );
  assert.deepEqual(snake.problems, []);
  assert.equal(snake.resolved.birthDate, "birthdate");
  assert.equal(snake.resolved.identifier?.[2].column, "ssn");
});

Deno.test("resolvePatient() reports every user-mapped column that does not exist", () => {
  const r = resolvePatient(
    patient({
      preset: "synthea",
      mapping: {
        gender: "SEX",
        given: ["FIRST", "SECOND"],
        identifier: [{ column: "MRN", system: "urn:x" }],
      },
    }),
    SYNTHEA_25,
  );
  assert.deepEqual(r.problems, [
    'mapping.identifier[0].column: unknown column "MRN"',
    'mapping.given[1]: unknown column "SECOND"',
    'mapping.gender: unknown column "SEX"',
  ]);
});

Deno.test("resolvePatient() lets mapping override the preset and null switch an element off", () => {
  const r = resolvePatient(
    patient({ preset: "synthea", mapping: { gender: "birth_sex", race: null } }),
    [...SYNTHEA_25, "Birth Sex"],
  );
  assert.deepEqual(r.problems, []);
  assert.equal(r.resolved.gender, "Birth Sex");
  assert.equal(r.resolved.race, undefined);
  assert.equal(r.resolved.ethnicity, "ETHNICITY");
});

Deno.test("resolvePatient() needs the preset's required column and a name", () => {
  const r = resolvePatient(patient({ preset: "synthea" }), ["FIRST", "LAST"]);
  assert.deepEqual(r.problems, ['mapping.id: unknown column "Id"']);
  const g = resolvePatient(patient({}), ["mrn", "notes"]);
  assert.deepEqual(g.problems, [
    "mapping.family: no column for the patient name (map family or given)",
  ]);
});

Deno.test("resolvePatient() rejects value maps that name codes outside the value set", () => {
  const r = resolvePatient(
    patient({ valueMaps: { gender: { "1": "male", "2": "F" }, race: { caucasian: "white" } } }),
    ["mrn", "last_name"],
  );
  assert.deepEqual(r.problems, [
    'valueMaps.gender.2: "F" is not one of male | female | other | unknown',
    'valueMaps.race.caucasian: "white" is not one of 1002-5 | 2028-9 | 2054-5 | 2076-8 | 2106-3 | 2131-1 | UNK | ASKU',
  ]);
});

Deno.test("resolvePatient() checks identifier type codes", () => {
  const r = resolvePatient(
    patient({ mapping: { identifier: [{ column: "mrn", system: "urn:x", type: "MRN" }] } }),
    ["mrn", "last_name"],
  );
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /^mapping\.identifier\[0\]\.type: unknown identifier type "MRN"/);
});

Deno.test("resolveImmunization() names the required elements it cannot find", () => {
  const r = resolveImmunization(ImmunizationConfig.parse({}), ["mrn", "notes"]);
  assert.deepEqual(r.problems, [
    "mapping.vaccineCode: required, and no input column was found for it",
    "mapping.occurrence: required, and no input column was found for it",
  ]);
  const s = resolveImmunization(
    ImmunizationConfig.parse({ preset: "synthea", mapping: { lotNumber: "LOT" } }),
    ["DATE", "PATIENT", "ENCOUNTER", "CODE"],
  );
  assert.deepEqual(s.problems, ['mapping.lotNumber: unknown column "LOT"']);
});

Deno.test("resolvePatient() gives the medical record number the configured identifierSystem", () => {
  const system = "https://clinic.example/mrn";
  const synthea = resolvePatient(
    patient({ preset: "synthea", identifierSystem: system }),
    SYNTHEA_25,
  );
  assert.equal(synthea.resolved.identifier?.find((i) => i.type === "MR")?.system, system);
  assert.equal(
    synthea.resolved.identifier?.find((i) => i.type === "SS")?.system,
    "http://hl7.org/fhir/sid/us-ssn",
  );
  const generic = resolvePatient(patient({ identifierSystem: system }), ["MRN", "Surname"]);
  assert.deepEqual(generic.resolved.identifier, [{ column: "MRN", system, type: "MR" }]);
});
