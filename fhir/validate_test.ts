import assert from "node:assert/strict";
import type { Immunization, Patient } from "fhir-types/r4";
import { runTransformer, syntheaImmunizations, syntheaPatients } from "./_fixtures.ts";
import { fhirPatientTransformer } from "../etl/transform/fhir_patient.ts";
import { fhirImmunizationTransformer } from "../etl/transform/fhir_immunization.ts";
import { validateImmunization, validatePatient } from "./validate.ts";

const patient = (extra: Record<string, unknown>) =>
  ({ resourceType: "Patient", id: "p1", name: [{ family: "Doe" }], ...extra }) as Patient;
const immunization = (extra: Record<string, unknown>) =>
  ({
    resourceType: "Immunization",
    id: "i1",
    status: "completed",
    vaccineCode: { coding: [{ system: "http://hl7.org/fhir/sid/cvx", code: "08" }] },
    patient: { reference: "Patient/p1" },
    occurrenceDateTime: "2014-02-15T10:14:03Z",
    ...extra,
  }) as Immunization;

Deno.test("validatePatient() names the element, the reason and the value", () => {
  assert.equal(validatePatient(patient({})), undefined);
  const cases: [Record<string, unknown>, string][] = [
    [{ gender: "M" }, 'Patient.gender: not one of male | female | other | unknown ("M")'],
    [{ gender: "" }, 'Patient.gender: not one of male | female | other | unknown ("")'],
    [{ id: "a b" }, 'Patient.id: not a valid id ("a b")'],
    [{ birthDate: "1990-2-3" }, 'Patient.birthDate: not a FHIR date ("1990-2-3")'],
    [{ birthDate: "2030-01-01" }, 'Patient.birthDate: in the future ("2030-01-01")'],
    [
      { birthDate: "1990-01-01", deceasedDateTime: "1989-12-31" },
      'Patient.deceasedDateTime: before birthDate 1990-01-01 ("1989-12-31")',
    ],
    [
      { deceasedDateTime: "2014-02-15T10:14:03" },
      'Patient.deceasedDateTime: not a FHIR dateTime ("2014-02-15T10:14:03")',
    ],
    [{ identifier: [{ system: "urn:x", value: "" }] }, 'Patient.identifier[0].value: missing ("")'],
    [{ name: [{ family: "Doe", given: ["Jo", " "] }] }, 'Patient.name[0].given[1]: empty (" ")'],
    [
      {
        maritalStatus: {
          coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", code: "X" }],
        },
      },
      'Patient.maritalStatus.coding[0].code: not in http://terminology.hl7.org/CodeSystem/v3-MaritalStatus ("X")',
    ],
    [
      {
        extension: [{
          url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
          extension: [{
            url: "ombCategory",
            valueCoding: { system: "urn:oid:2.16.840.1.113883.6.238", code: "white" },
          }],
        }],
      },
      'Patient.extension[0].extension[0].valueCoding.code: not in urn:oid:2.16.840.1.113883.6.238 ("white")',
    ],
    [
      { telecom: [{ system: "pigeon", value: "x" }] },
      'Patient.telecom[0].system: not a contact point system ("pigeon")',
    ],
  ];
  for (const [extra, reason] of cases) {
    assert.equal(validatePatient(patient(extra), "2026-11-27"), reason);
  }
});

Deno.test("validateImmunization() names the element, the reason and the value", () => {
  assert.equal(validateImmunization(immunization({})), undefined);
  const cases: [Record<string, unknown>, string][] = [
    [
      { status: "given" },
      'Immunization.status: not one of completed | entered-in-error | not-done ("given")',
    ],
    [
      { vaccineCode: { coding: [{ system: "http://hl7.org/fhir/sid/cvx", code: "8" }] } },
      'Immunization.vaccineCode.coding[0].code: unknown CVX code ("8")',
    ],
    [
      { patient: { reference: "urn:uuid:p1" } },
      'Immunization.patient.reference: not a Patient/<id> reference ("urn:uuid:p1")',
    ],
    [
      { occurrenceDateTime: "2014-02-15T10:14" },
      'Immunization.occurrenceDateTime: not a FHIR dateTime ("2014-02-15T10:14")',
    ],
    [
      { occurrenceDateTime: "2027-01-01" },
      'Immunization.occurrenceDateTime: in the future ("2027-01-01")',
    ],
    [{ primarySource: "yes" }, 'Immunization.primarySource: not a boolean ("yes")'],
    [
      {
        route: {
          coding: [{
            system: "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration",
            code: "EAR",
          }],
        },
      },
      'Immunization.route.coding[0].code: not in http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration ("EAR")',
    ],
  ];
  for (const [extra, reason] of cases) {
    assert.equal(validateImmunization(immunization(extra), "2026-11-27"), reason);
  }
});

Deno.test("validators give the same verdict without the shared-part shortcut", () => {
  // Mapped resources share frozen codings the validator trusts; copies are checked in full.
  const patients = runTransformer<Patient>(
    fhirPatientTransformer,
    { preset: "synthea" },
    syntheaPatients(),
  );
  for (const { resource } of patients.rows) {
    assert.equal(validatePatient(structuredClone(resource), "2026-11-27"), undefined);
  }
  const broken = structuredClone(patients.rows[0].resource);
  broken.extension![0].extension![0].valueCoding!.code = "white";
  assert.match(
    validatePatient(broken)!,
    /^Patient\.extension\[0\]\.extension\[0\]\.valueCoding\.code: not in/,
  );
  const imms = runTransformer<Immunization>(
    fhirImmunizationTransformer,
    { preset: "synthea" },
    syntheaImmunizations(),
  );
  for (const { resource } of imms.rows) {
    assert.equal(validateImmunization(structuredClone(resource), "2026-11-27"), undefined);
  }
});
