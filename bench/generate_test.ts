import assert from "node:assert/strict";
import { generate, PATIENT_COLUMNS } from "./generate.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "bench-gen-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const lines = async (path: string) => (await Deno.readTextFile(path)).split("\n").slice(0, -1);

Deno.test("generate() writes byte-identical files for the same seed and size", async () => {
  await withDir(async (dir) => {
    await generate({ patients: 300, out: `${dir}/a`, seed: 7 });
    await generate({ patients: 300, out: `${dir}/b`, seed: 7 });
    await generate({ patients: 300, out: `${dir}/c`, seed: 8 });
    for (const name of ["patients.csv", "immunizations.csv"]) {
      const a = await Deno.readFile(`${dir}/a/${name}`);
      assert.deepEqual(await Deno.readFile(`${dir}/b/${name}`), a);
      assert.notDeepEqual(await Deno.readFile(`${dir}/c/${name}`), a);
    }
  });
});

Deno.test("generate() writes Synthea's current 28-column patients header", async () => {
  await withDir(async (dir) => {
    await generate({ patients: 5, out: dir });
    const [header, ...rows] = await lines(`${dir}/patients.csv`);
    assert.equal(
      header,
      "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,MIDDLE,LAST,SUFFIX,MAIDEN," +
        "MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,FIPS,ZIP,LAT,LON," +
        "HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE,INCOME",
    );
    assert.equal(PATIENT_COLUMNS.length, 28);
    for (const row of rows) assert.equal(row.split(",").length, 28, row);
  });
});

Deno.test("generate() writes the requested patients and ~12 immunizations each", async () => {
  await withDir(async (dir) => {
    const result = await generate({ patients: 2000, out: dir, seed: 1 });
    const patients = await lines(`${dir}/patients.csv`);
    const immunizations = await lines(`${dir}/immunizations.csv`);
    assert.equal(patients.length, 2001);
    assert.equal(immunizations[0], "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST");
    assert.equal(immunizations.length - 1, result.immunizations);
    const perPatient = result.immunizations / 2000;
    assert.ok(perPatient > 11 && perPatient < 13, `${perPatient} immunizations per patient`);
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/generated.json`));
    assert.equal(meta.patients, 2000);
    assert.equal(meta.immunizations, result.immunizations);
  });
});

Deno.test("generate() gives every immunization an existing patient, after birth", async () => {
  await withDir(async (dir) => {
    await generate({ patients: 500, out: dir, seed: 3 });
    const births = new Map<string, string>();
    const deaths = new Map<string, string>();
    for (const row of (await lines(`${dir}/patients.csv`)).slice(1)) {
      const [id, birth, death] = row.split(",");
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      births.set(id, birth);
      if (death) deaths.set(id, death);
    }
    assert.equal(births.size, 500, "patient ids are unique");
    for (const row of (await lines(`${dir}/immunizations.csv`)).slice(1)) {
      const [date, patient, encounter, code, description, cost] = row.split(",");
      assert.ok(births.has(patient), `unknown patient ${patient}`);
      assert.match(date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(date.slice(0, 10) > births.get(patient)!, `${date} before birth`);
      const death = deaths.get(patient);
      if (death) assert.ok(date.slice(0, 10) < death, `${date} after death ${death}`);
      assert.match(encounter, /^[0-9a-f-]{36}$/);
      assert.match(code, /^\d{2,3}$/);
      assert.ok(description.length > 0);
      assert.equal(cost, "140.52");
    }
  });
});

Deno.test("generate() makes a smaller size a prefix of a larger one", async () => {
  await withDir(async (dir) => {
    await generate({ patients: 50, out: `${dir}/small` });
    await generate({ patients: 200, out: `${dir}/big` });
    for (const name of ["patients.csv", "immunizations.csv"]) {
      const small = await Deno.readTextFile(`${dir}/small/${name}`);
      const big = await Deno.readTextFile(`${dir}/big/${name}`);
      assert.ok(big.startsWith(small), `${name} of 50 patients starts the one of 200`);
    }
  });
});

Deno.test("generate() keeps Synthea's value shapes: ZIPs with leading zeros, empty fields", async () => {
  await withDir(async (dir) => {
    await generate({ patients: 1000, out: dir });
    const rows = (await lines(`${dir}/patients.csv`)).slice(1).map((r) => r.split(","));
    const col = (name: string) => rows.map((r) => r[PATIENT_COLUMNS.indexOf(name)]);
    assert.ok(col("ZIP").some((z) => z === ""), "some ZIPs are empty");
    assert.ok(col("ZIP").filter((z) => z !== "").every((z) => /^0\d{4}$/.test(z)));
    assert.ok(col("DEATHDATE").filter((d) => d === "").length > 800, "most patients are alive");
    assert.ok(col("STATE").every((s) => s === "Massachusetts"));
    assert.ok(col("GENDER").every((g) => g === "M" || g === "F"));
    assert.ok(col("FIRST").every((n) => /\D\d{1,3}$/.test(n)), "names carry numeric suffixes");
    assert.ok(col("HEALTHCARE_EXPENSES").every((v) => /^\d+(\.\d+)?$/.test(v)));
  });
});
