/**
 * The benchmark's peer: DuckDB (`@duckdb/node-api`, which loads under Deno) doing the same three
 * conversions in SQL — Synthea patients.csv → FHIR Patient NDJSON, immunizations.csv → FHIR
 * Immunization NDJSON, patients.csv → Parquet. The FHIR shapes follow what Synthea (and our
 * mapper) emit: OMB race/ethnicity extensions, identifiers, names, address with geolocation,
 * marital status; missing values leave their field out, as FHIR requires.
 *
 * @example
 * ```sh
 * deno run -A bench/peer_duckdb.ts --conversion patient --input bench/out/1m/patients.csv \
 *   --output bench/out/1m/peer/Patient.ndjson --threads 1
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";

/** The conversions the benchmark compares. */
export type Conversion = "patient" | "immunization" | "parquet";

/** All conversions, in the order the benchmark runs them. */
export const CONVERSIONS: readonly Conversion[] = ["patient", "immunization", "parquet"];

/** What one peer run measured. */
export interface PeerResult {
  engine: "duckdb";
  conversion: Conversion;
  threads: number;
  rows: number;
  /** Seconds of the COPY statement alone (no process or library start-up). */
  seconds: number;
  /** Peak resident set of this process (VmHWM), in MB. */
  peakRssMb: number;
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const csv = (path: string) => `read_csv(${lit(path)}, header = true, all_varchar = true)`;
// One JSON text per line: CSV with quoting and escaping off writes the string as it is.
const NDJSON = "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '')";
// RFC 7396 merge into {} drops null members at every object level, like our mapper's
// "leave missing fields out"; arrays are built with nulls filtered out.
const strip = (json: string) => `json_merge_patch('{}', ${json})`;
const OMB = "urn:oid:2.16.840.1.113883.6.238";

function omb(url: string, code: string, display: string): string {
  return `json_object('url', '${url}', 'extension', json_array(
    json_object('url', 'ombCategory', 'valueCoding',
      json_object('system', '${OMB}', 'code', ${code}, 'display', ${display})),
    json_object('url', 'text', 'valueString', ${display})))`;
}

function identifier(code: string, text: string, system: string, value: string): string {
  return `CASE WHEN ${value} IS NOT NULL THEN json_object('type', json_object('coding', json_array(
    json_object('system', 'http://terminology.hl7.org/CodeSystem/v2-0203', 'code', '${code}',
      'display', ${lit(text)})), 'text', ${
    lit(text)
  }), 'system', '${system}', 'value', ${value}) END`;
}

/** SQL for patients.csv → FHIR Patient NDJSON. */
export function patientSql(input: string, output: string): string {
  const race = `CASE RACE WHEN 'white' THEN '2106-3' WHEN 'black' THEN '2054-5'
    WHEN 'asian' THEN '2028-9' WHEN 'native' THEN '1002-5' WHEN 'hawaiian' THEN '2076-8'
    ELSE '2131-1' END`;
  const raceText =
    `CASE RACE WHEN 'white' THEN 'White' WHEN 'black' THEN 'Black or African American'
    WHEN 'asian' THEN 'Asian' WHEN 'native' THEN 'American Indian or Alaska Native'
    WHEN 'hawaiian' THEN 'Native Hawaiian or Other Pacific Islander' ELSE 'Other Race' END`;
  const eth = `CASE ETHNICITY WHEN 'hispanic' THEN '2135-2' ELSE '2186-5' END`;
  const ethText =
    `CASE ETHNICITY WHEN 'hispanic' THEN 'Hispanic or Latino' ELSE 'Not Hispanic or Latino' END`;
  const marital = `CASE MARITAL WHEN 'M' THEN 'Married' WHEN 'S' THEN 'Never Married'
    WHEN 'D' THEN 'Divorced' WHEN 'W' THEN 'Widowed' END`;
  const list = (items: string[]) =>
    `to_json(list_filter([${items.join(", ")}], x -> x IS NOT NULL))`;
  const given = list(["FIRST", "MIDDLE"]);
  const officialName = strip(`json_object('use', 'official', 'family', LAST, 'given', ${given},
    'prefix', CASE WHEN PREFIX IS NOT NULL THEN json_array(PREFIX) END,
    'suffix', CASE WHEN SUFFIX IS NOT NULL THEN json_array(SUFFIX) END)`);
  const maidenName = `CASE WHEN MAIDEN IS NOT NULL THEN
    json_object('use', 'maiden', 'family', MAIDEN, 'given', ${given}) END`;
  const resource = strip(`json_object(
    'resourceType', 'Patient',
    'id', Id,
    'extension', json_array(
      ${omb("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", race, raceText)},
      ${omb("http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity", eth, ethText)},
      json_object('url', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
        'valueCode', GENDER)),
    'identifier', ${
    list([
      "json_object('system', 'https://github.com/synthetichealth/synthea', 'value', Id)",
      identifier("SS", "Social Security Number", "http://hl7.org/fhir/sid/us-ssn", "SSN"),
      identifier("DL", "Driver's License", "urn:oid:2.16.840.1.113883.4.3.25", "DRIVERS"),
      identifier("PPN", "Passport Number", "http://hl7.org/fhir/sid/passport-USA", "PASSPORT"),
    ])
  },
    'name', ${list([officialName, maidenName])},
    'gender', CASE GENDER WHEN 'M' THEN 'male' WHEN 'F' THEN 'female' ELSE 'unknown' END,
    'birthDate', BIRTHDATE,
    'deceasedDateTime', DEATHDATE,
    'address', json_array(${
    strip(`json_object(
      'extension', json_array(json_object(
        'url', 'http://hl7.org/fhir/StructureDefinition/geolocation',
        'extension', json_array(
          json_object('url', 'latitude', 'valueDecimal', LAT::DOUBLE),
          json_object('url', 'longitude', 'valueDecimal', LON::DOUBLE)))),
      'line', json_array(ADDRESS), 'city', CITY,
      'state', CASE STATE WHEN 'Massachusetts' THEN 'MA' ELSE STATE END,
      'postalCode', ZIP, 'country', 'US')`)
  }),
    'maritalStatus', CASE WHEN ${marital} IS NOT NULL THEN json_object('coding', json_array(
      json_object('system', 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
        'code', MARITAL, 'display', ${marital})), 'text', ${marital}) END)`);
  return `COPY (SELECT ${resource} FROM ${csv(input)}) TO ${lit(output)} ${NDJSON}`;
}

/** SQL for immunizations.csv → FHIR Immunization NDJSON. */
export function immunizationSql(input: string, output: string): string {
  // A stable id from the row's content, shaped like a UUID (the CSV has no id column).
  const h = "md5(PATIENT || DATE || CODE)";
  const id = `substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-' || substr(${h}, 13, 4) ||
    '-' || substr(${h}, 17, 4) || '-' || substr(${h}, 21, 12)`;
  const resource = `json_object(
    'resourceType', 'Immunization',
    'id', ${id},
    'status', 'completed',
    'vaccineCode', json_object('coding', json_array(json_object(
      'system', 'http://hl7.org/fhir/sid/cvx', 'code', CODE, 'display', DESCRIPTION)),
      'text', DESCRIPTION),
    'patient', json_object('reference', 'Patient/' || PATIENT),
    'encounter', json_object('reference', 'Encounter/' || ENCOUNTER),
    'occurrenceDateTime', DATE,
    'primarySource', true)`;
  return `COPY (SELECT ${resource} FROM ${csv(input)}) TO ${lit(output)} ${NDJSON}`;
}

/** SQL for patients.csv → Parquet, with DuckDB's own type detection (like our normalize). */
export function parquetSql(input: string, output: string): string {
  return `COPY (SELECT * FROM read_csv(${lit(input)}, header = true)) TO ${lit(output)}
    (FORMAT parquet)`;
}

const SQL: Record<Conversion, (input: string, output: string) => string> = {
  patient: patientSql,
  immunization: immunizationSql,
  parquet: parquetSql,
};

/** Peak resident set of this process in MB, from /proc/self/status (0 where there is none). */
export function peakRssMb(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Run one conversion in DuckDB with `threads` threads. */
export async function runPeer(
  conversion: Conversion,
  options: { input: string; output: string; threads?: number },
): Promise<PeerResult> {
  const threads = options.threads ?? 1;
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(`SET threads = ${threads}`);
    await conn.run("SET enable_progress_bar = false");
    const t0 = performance.now();
    const reader = await conn.runAndReadAll(SQL[conversion](options.input, options.output));
    const seconds = (performance.now() - t0) / 1000;
    const rows = Number(reader.getRows()[0][0]);
    return { engine: "duckdb", conversion, threads, rows, seconds, peakRssMb: peakRssMb() };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      conversion: { type: "string" },
      input: { type: "string" },
      output: { type: "string" },
      threads: { type: "string", default: "1" },
    },
  });
  const conversion = values.conversion as Conversion;
  if (!CONVERSIONS.includes(conversion) || !values.input || !values.output) {
    console.error(
      "Usage: peer_duckdb.ts --conversion patient|immunization|parquet --input <csv> --output <file> [--threads N]",
    );
    Deno.exit(2);
  }
  const result = await runPeer(conversion, {
    input: values.input,
    output: values.output,
    threads: Number(values.threads),
  });
  console.log(JSON.stringify(result));
}
