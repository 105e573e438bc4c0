/**
 * Test fixtures shared by the database repositories' tests: typed rows as normalize emits
 * them, and FHIR Patient rows straight from the `fhir-patient` transform.
 * @module
 */
import { fhirPatientTransformer } from "../transform/fhir_patient.ts";
import { testContext } from "../testing.ts";
import type { Batch, LoadTarget, Row, Schema } from "../types.ts";

/** Columns of every engine type. */
export const TYPED_SCHEMA: Schema = {
  columns: [
    { name: "id", type: "string" },
    { name: "name", type: "string" },
    { name: "score", type: "decimal" },
    { name: "visits", type: "integer" },
    { name: "active", type: "boolean" },
    { name: "born", type: "date" },
    { name: "seen", type: "datetime" },
    { name: "extra", type: "json" },
  ],
};

/** Rows for {@link TYPED_SCHEMA}, `name` suffixed so runs can be told apart. */
export function typedRows(ids: string[], suffix = ""): Row[] {
  return ids.map((id, i) => ({
    id,
    name: `Zoë 💉 ${id}${suffix}`,
    score: i === 0 ? "12345678901234567890.123456789" : `${i}.5`,
    visits: i === 0 ? "9007199254740993" : i,
    active: i % 2 === 0,
    born: "1980-02-29",
    seen: "2024-03-01T10:20:30.5+02:00",
    extra: i === 0 ? { tags: ["a", "b"], n: 1 } : null,
  }));
}

/** A batch of rows with table-like source references. */
export function batchOf(rows: Row[]): Batch {
  return {
    rows,
    refs: rows.map((r) => ({ source: "clinic.csv", key: String(r.id) })),
    cursor: {},
  };
}

/** A load target for rows of `schema`. */
export function targetOf(schema: Schema): LoadTarget {
  return { schema, formatConfig: undefined, name: "clinic" };
}

/** Patients mapped by the real `fhir-patient` transform: rows with a `resource` object. */
export function patientBatch(): { schema: Schema; batch: Batch } {
  const input = ["mrn", "first_name", "last_name", "dob", "sex"];
  const rows = [
    { mrn: "P-1", first_name: "Zoë", last_name: "Núñez", dob: "1980-02-29", sex: "F" },
    { mrn: "P-2", first_name: "Alan", last_name: "Turing", dob: "1912-06-23", sex: "M" },
  ];
  const { config, schema } = fhirPatientTransformer.prepare(
    fhirPatientTransformer.config.parse({}),
    { columns: input.map((name) => ({ name, type: "string" })) },
    rows,
  );
  const batch = fhirPatientTransformer.run(testContext(), config, {
    rows,
    refs: rows.map((_, i) => ({ source: "patients.csv", line: i + 2 })),
    cursor: {},
  });
  return { schema, batch };
}
