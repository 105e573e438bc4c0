import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { AS_OF, feed, IDS, SYNTHEA_DIR, syntheaBatches, tempDir } from "./_testing.ts";
import { finishReport } from "./finish.ts";
import type { Distribution } from "./report.ts";

type CsvRow = Record<string, string>;
const readCsv = (name: string): CsvRow[] =>
  parse(Deno.readTextFileSync(`${SYNTHEA_DIR}${name}`), { columns: true, skip_empty_lines: true });

function tally<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

const asRecord = (d: Distribution<number>) =>
  Object.fromEntries(d.cells.map((c) => [c.key, c.count]));

async function* both() {
  // Immunizations first: patients arrive after the records that refer to them.
  yield* syntheaBatches("immunizations");
  yield* syntheaBatches("patients", 40);
}

Deno.test("finishReport() on the Synthea sample counts what the CSV files hold", async () => {
  await using tmp = await tempDir();
  const { state, store } = await feed(both(), `${tmp.dir}/run.sqlite`, { source: "synthea csv" });
  const report = finishReport(state, store, { ids: IDS, generatedAt: AS_OF });
  store.close();
  const patients = readCsv("patients.csv");
  const immunizations = readCsv("immunizations.csv");

  assert.deepEqual(asRecord(report.records.byType), { Patient: 115, Immunization: 1506 });
  assert.deepEqual(asRecord(report.records.bySource), { "synthea csv": 1621 });
  const gender = tally(patients, (p) => ({ M: "male", F: "female" })[p.GENDER]!);
  assert.deepEqual(asRecord(report.patients!.gender), gender);
  const race = tally(
    patients,
    (p) => ({ white: "2106-3", black: "2054-5", asian: "2028-9" })[p.RACE]!,
  );
  assert.deepEqual(asRecord(report.patients!.race), race);
  assert.equal(report.patients!.race.cells.find((c) => c.key === "2106-3")?.label, "White");
  const deceased = patients.filter((p) => p.DEATHDATE !== "").length;
  assert.equal(asRecord(report.patients!.ageBand).deceased, deceased);
  assert.deepEqual(asRecord(report.patients!.state), { MA: 115 });

  const im = report.immunizations!;
  assert.deepEqual(asRecord(im.byVaccine), tally(immunizations, (i) => i.CODE));
  assert.equal(
    im.byVaccine.cells.find((c) => c.key === "08")?.label,
    "Hep B, adolescent or pediatric",
  );
  assert.deepEqual(asRecord(im.byYear), tally(immunizations, (i) => i.DATE.slice(0, 4)));
  assert.deepEqual(asRecord(im.byMonth), tally(immunizations, (i) => i.DATE.slice(0, 7)));
  const perPatient = tally(immunizations, (i) => i.PATIENT);
  assert.equal(im.patients.referenced, Object.keys(perPatient).length);
  assert.deepEqual(im.patients.inRun, {
    with: Object.keys(perPatient).length,
    without: 115 - Object.keys(perPatient).length,
  });
  const counts = Object.values(perPatient);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  assert.equal(im.perPatient.mean, Math.round(mean * 10) / 10);

  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  assert.deepEqual(status, {
    "patient.birthdate-valid": "pass",
    "patient.gender-valueset": "pass",
    "patient.identifier-unique": "fail",
    "immunization.cvx-known": "pass",
    "immunization.cvx-status": "pass",
    "immunization.status-present": "pass",
    "immunization.occurrence-not-future": "pass",
    "immunization.occurrence-after-birth": "pass",
    "immunization.patient-resolves": "pass",
  });
  // The sample really has one driver's licence number on two patients.
  const owners = new Map<string, number[]>();
  patients.forEach((p, i) => {
    for (const col of ["Id", "SSN", "DRIVERS", "PASSPORT"]) {
      if (p[col] !== "") {
        owners.set(`${col}|${p[col]}`, [...(owners.get(`${col}|${p[col]}`) ?? []), i]);
      }
    }
  });
  const shared = new Set([...owners.values()].filter((o) => o.length > 1).flat());
  const unique = report.checks.find((c) => c.id === "patient.identifier-unique")!;
  assert.equal(unique.numerator, shared.size);
  assert.equal(unique.denominator, 115);
  // Header on line 1 and no multi-line fields: row i is on line i + 2.
  assert.deepEqual(
    unique.examples,
    [...shared].sort((a, b) => a - b).map((i) => `patients.csv line ${i + 2}`),
  );
  const resolves = report.checks.find((c) => c.id === "immunization.patient-resolves")!;
  assert.equal(resolves.denominator, 1506);
  assert.equal(report.comparison, null);
});
