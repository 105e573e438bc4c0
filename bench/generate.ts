/**
 * A deterministic generator of Synthea-format CSVs at any size, for the benchmark:
 * `patients.csv` (the current 28-column header) and `immunizations.csv` (~12 rows per patient).
 * The same seed and size give byte-identical files, and a smaller size is a prefix of a larger
 * one. Rows stream to disk through one reused buffer, so memory stays flat at any size.
 *
 * @example
 * ```sh
 * deno run -A bench/generate.ts --patients 1000000 --out bench/out/1m --seed 42
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { BufferedTextWriter } from "./_writer.ts";
import {
  CITIES,
  CVX,
  FEMALE_NAMES,
  FOREIGN_BIRTHPLACES,
  LAST_NAMES,
  MALE_NAMES,
  STREET_NAMES,
  STREET_SUFFIXES,
  TOWNS,
} from "./_pools.ts";

/** The current Synthea `patients.csv` header (28 columns). */
export const PATIENT_COLUMNS: readonly string[] = [
  "Id",
  "BIRTHDATE",
  "DEATHDATE",
  "SSN",
  "DRIVERS",
  "PASSPORT",
  "PREFIX",
  "FIRST",
  "MIDDLE",
  "LAST",
  "SUFFIX",
  "MAIDEN",
  "MARITAL",
  "RACE",
  "ETHNICITY",
  "GENDER",
  "BIRTHPLACE",
  "ADDRESS",
  "CITY",
  "STATE",
  "COUNTY",
  "FIPS",
  "ZIP",
  "LAT",
  "LON",
  "HEALTHCARE_EXPENSES",
  "HEALTHCARE_COVERAGE",
  "INCOME",
]; // deno-fmt-ignore

/** The Synthea `immunizations.csv` header. */
export const IMMUNIZATION_COLUMNS: readonly string[] = [
  "DATE",
  "PATIENT",
  "ENCOUNTER",
  "CODE",
  "DESCRIPTION",
  "BASE_COST",
];

/** What {@link generate} wrote; also saved as `generated.json` beside the CSVs. */
export interface GenerateResult {
  seed: number;
  patients: number;
  immunizations: number;
  patientsPath: string;
  immunizationsPath: string;
  bytes: number;
}

/** mulberry32: a tiny, fast 32-bit PRNG whose whole state is one integer. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed | 0;
  }
  /** An unsigned 32-bit integer. */
  u32(): number {
    const a = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }
  /** One element of `list`. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.float() * list.length)];
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A UUID-shaped id (Synthea's ids are random hex in that layout, not RFC 4122 versions). */
function uuid(rng: Rng): string {
  const a = rng.u32(), b = rng.u32(), c = rng.u32(), d = rng.u32();
  return HEX[a >>> 24] + HEX[(a >>> 16) & 255] + HEX[(a >>> 8) & 255] + HEX[a & 255] + "-" +
    HEX[b >>> 24] + HEX[(b >>> 16) & 255] + "-" + HEX[(b >>> 8) & 255] + HEX[b & 255] + "-" +
    HEX[c >>> 24] + HEX[(c >>> 16) & 255] + "-" + HEX[(c >>> 8) & 255] + HEX[c & 255] +
    HEX[d >>> 24] + HEX[(d >>> 16) & 255] + HEX[(d >>> 8) & 255] + HEX[d & 255];
}

// Days are counted from 1920-01-01; a fixed end keeps output independent of today's date.
const DAY0 = Date.UTC(1920, 0, 1);
const DAY_MS = 86_400_000;
const FIRST_BIRTH = (Date.UTC(1925, 0, 1) - DAY0) / DAY_MS;
const LAST_BIRTH = (Date.UTC(2025, 5, 30) - DAY0) / DAY_MS;
const END = (Date.UTC(2025, 11, 31) - DAY0) / DAY_MS;
const DATES = Array.from(
  { length: END + 1 },
  (_, d) => new Date(DAY0 + d * DAY_MS).toISOString().slice(0, 10),
);

const pad2 = (n: number) => (n < 10 ? "0" + n : String(n));
const MARITAL = ["M", "M", "M", "M", "M", "S", "S", "S", "D", "W", "", ""];
const RACES = [
  ...Array(15).fill("white"),
  "black",
  "black",
  "asian",
  "asian",
  "native",
  "other",
  "hawaiian",
];
const SUFFIXES = ["MD", "PhD", "JD", "DDS"];
const UNITS = ["Apt", "Unit", "Suite"];
// CVX codes weighted like the Synthea sample (seasonal flu dominates).
const CVX_WEIGHTED = CVX.flatMap((v) => Array(v.weight).fill(v.code + "," + v.description));

/** One patient row, plus the facts its immunizations need. */
function patientRow(rng: Rng): { row: string; id: string; birth: number; stop: number } {
  const id = uuid(rng);
  const male = rng.chance(0.5);
  const birth = FIRST_BIRTH + rng.int(LAST_BIRTH - FIRST_BIRTH);
  const age = (END - birth) / 365.25;
  const dead = rng.chance(age > 60 ? 0.2 : 0.03);
  const death = dead ? birth + 1 + rng.int(END - birth) : -1;
  const adult = age >= 18;
  const marital = adult ? rng.pick(MARITAL) : "";
  const first = rng.pick(male ? MALE_NAMES : FEMALE_NAMES) + (1 + rng.int(999));
  const middle = rng.chance(0.7)
    ? rng.pick(male ? MALE_NAMES : FEMALE_NAMES) + (1 + rng.int(999))
    : "";
  const last = rng.pick(LAST_NAMES) + (1 + rng.int(999));
  const prefix = adult ? (male ? "Mr." : marital === "M" ? "Mrs." : "Ms.") : "";
  const suffix = adult && rng.chance(0.01) ? rng.pick(SUFFIXES) : "";
  const maiden = !male && marital !== "S" && marital !== "" && rng.chance(0.8)
    ? rng.pick(LAST_NAMES) + (1 + rng.int(999))
    : "";
  const drivers = adult && rng.chance(0.85) ? "S999" + (10000 + rng.int(90000)) : "";
  const passport = adult && rng.chance(0.8) ? "X" + (1_000_000 + rng.int(99_000_000)) + "X" : "";
  const ssn = "999-" + (10 + rng.int(90)) + "-" + (1000 + rng.int(9000));
  const race = rng.pick(RACES);
  const ethnicity = rng.chance(0.1) ? "hispanic" : "nonhispanic";
  const birthplace = rng.chance(0.95)
    ? rng.pick(TOWNS) + "  Massachusetts  US"
    : rng.pick(FOREIGN_BIRTHPLACES);
  const unit = rng.chance(0.4) ? " " + rng.pick(UNITS) + " " + (1 + rng.int(99)) : "";
  const address = (100 + rng.int(1000)) + " " + rng.pick(STREET_NAMES) + " " +
    rng.pick(STREET_SUFFIXES) + unit;
  const city = rng.pick(CITIES);
  const zip = rng.chance(0.65) ? rng.pick(city.zips) : "";
  const fips = rng.chance(0.9) ? city.fips : "";
  const lat = city.lat + (rng.float() - 0.5) * 0.1;
  const lon = city.lon + (rng.float() - 0.5) * 0.1;
  // Sums of cents keep Synthea's binary-float artefacts ("28556.600000000002").
  const expenses = rng.int(200_000_000) / 100 + rng.int(100_000) / 100;
  const coverage = rng.int(2_000_000) / 100 + rng.int(10_000) / 100;
  const income = 10_000 + rng.int(240_000);
  const row = `${id},${DATES[birth]},${dead ? DATES[death] : ""},${ssn},${drivers},${passport},` +
    `${prefix},${first},${middle},${last},${suffix},${maiden},${marital},${race},${ethnicity},` +
    `${male ? "M" : "F"},${birthplace},${address},${city.name},Massachusetts,${city.county},` +
    `${fips},${zip},${lat},${lon},${expenses},${coverage},${income}\n`;
  return { row, id, birth, stop: dead ? death : END };
}

/** Generate `patients` patients and their immunizations into `out` (created if missing). */
export async function generate(
  options: { patients: number; out: string; seed?: number },
): Promise<GenerateResult> {
  const { patients, out } = options;
  const seed = options.seed ?? 42;
  if (!Number.isInteger(patients) || patients < 0) {
    throw new RangeError(`Cannot generate ${patients} patients: give a whole number >= 0`);
  }
  await Deno.mkdir(out, { recursive: true });
  const patientsPath = `${out}/patients.csv`;
  const immunizationsPath = `${out}/immunizations.csv`;
  // Written under .partial names and renamed at the end, so a cache never holds half a file.
  const pw = await BufferedTextWriter.create(patientsPath + ".partial");
  const iw = await BufferedTextWriter.create(immunizationsPath + ".partial");
  const rng = new Rng(seed);
  let immunizations = 0;
  try {
    pw.write(PATIENT_COLUMNS.join(",") + "\n");
    iw.write(IMMUNIZATION_COLUMNS.join(",") + "\n");
    for (let i = 0; i < patients; i++) {
      const p = patientRow(rng);
      pw.write(p.row);
      // Stratified days keep one patient's shots in date order without sorting.
      const count = rng.int(25);
      const first = p.birth + 1;
      const span = p.stop - first;
      if (span <= 0) continue;
      const time = "T" + pad2(rng.int(24)) + ":" + pad2(rng.int(60)) + ":" + pad2(rng.int(60)) +
        "Z,";
      for (let k = 0; k < count; k++) {
        const day = first + Math.floor((span * (k + rng.float())) / count);
        iw.write(
          DATES[day] + time + p.id + "," + uuid(rng) + "," + rng.pick(CVX_WEIGHTED) + ",140.52\n",
        );
      }
      immunizations += count;
    }
  } finally {
    pw.close();
    iw.close();
  }
  await Deno.rename(patientsPath + ".partial", patientsPath);
  await Deno.rename(immunizationsPath + ".partial", immunizationsPath);
  const result: GenerateResult = {
    seed,
    patients,
    immunizations,
    patientsPath,
    immunizationsPath,
    bytes: pw.bytes + iw.bytes,
  };
  await Deno.writeTextFile(`${out}/generated.json`, JSON.stringify(result, null, 2) + "\n");
  return result;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      patients: { type: "string", default: "1000" },
      out: { type: "string" },
      seed: { type: "string", default: "42" },
    },
  });
  const patients = Number(values.patients!.replaceAll("_", ""));
  const out = values.out ?? `bench/out/${patients}`;
  const t0 = performance.now();
  const result = await generate({ patients, out, seed: Number(values.seed) });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ ...result, seconds: Number(seconds.toFixed(2)) }));
}
