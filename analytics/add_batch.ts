/**
 * `addBatch`: count one batch of output records into the report state and write their
 * per-record facts to the run's store. State in, new state out; the input state is not
 * changed, so a step that fails leaves the saved state as it was.
 * @module
 */
import type { Batch, SourceRef } from "../etl/types.ts";
import { CVX_CODES, CVX_SYSTEM } from "../fhir/cvx.ts";
import { GENDERS, IMMUNIZATION_STATUSES } from "../fhir/terminology.ts";
import type { StreamCheckId } from "./checks.ts";
import { ageBand, dayNumber, earliestDay, lastPresentDay, latestDay } from "./_dates.ts";
import {
  cvxCodeOf,
  ethnicityOf,
  identifierKeys,
  isDeceased,
  patientReference,
  presentFields,
  raceOf,
  referencedPatient,
  type Resource,
  resourceOf,
  stateOf,
} from "./_fhir.ts";
import { contentHash, textHash } from "./hash.ts";
import { COMPLETENESS_FIELDS } from "./report.ts";
import {
  CAPS,
  clip,
  type Dimension,
  EXAMPLE_BYTES,
  EXAMPLES,
  OTHER,
  type ReportState,
  YEARS_CAP,
} from "./state.ts";
import { IDENTIFIERS_PER_PATIENT, type IdStore, KIND, type PendingRecords } from "./store.ts";

/** Where a row came from, for examples: `patients.csv line 17`, `patients key 42`. */
export function describeRef(ref: SourceRef | undefined): string {
  if (ref === undefined) return "(unknown)";
  if (ref.line !== undefined) return `${ref.source} line ${ref.line}`;
  if (ref.key !== undefined) return `${ref.source} key ${ref.key}`;
  if (ref.index !== undefined) return `${ref.source} record ${ref.index + 1}`;
  return ref.source;
}

/** The per-batch working copy of a state, with the caps applied on the way. */
class Tally {
  readonly s: ReportState;
  // Maps while counting: categories come from the data, and "__proto__" or "constructor"
  // must count like any other word, not reach Object.prototype.
  #counts = new Map<Dimension, Map<string, number>>();
  readonly today: number;
  readonly latest: number;

  constructor(state: ReportState) {
    this.s = structuredClone(state);
    for (const d of Object.keys(CAPS) as Dimension[]) {
      this.#counts.set(d, new Map(Object.entries(this.s.counts[d])));
    }
    this.today = dayNumber(state.asOf);
    this.latest = lastPresentDay(state.asOf);
  }

  bump(dim: Dimension, raw: string): void {
    const counts = this.#counts.get(dim)!;
    const cap = CAPS[dim];
    let key = raw.length * 3 <= cap.bytes ? raw : clip(raw, cap.bytes);
    let n = counts.get(key);
    if (n === undefined) {
      // One slot stays free for (other) itself; the report's sections need these two types.
      const kept = dim === "type" && (key === "Patient" || key === "Immunization");
      if (counts.size >= cap.keys - 1 && key !== OTHER && !kept) {
        key = OTHER;
        if (!this.s.truncated.includes(dim)) this.s.truncated.push(dim);
        n = counts.get(key);
      }
    }
    counts.set(key, (n ?? 0) + 1);
  }

  /** The state with this batch counted (own properties only, whatever the category). */
  done(): ReportState {
    for (const [d, counts] of this.#counts) this.s.counts[d] = Object.fromEntries(counts);
    return this.s;
  }

  check(id: StreamCheckId, failed: boolean, ref: SourceRef | undefined): void {
    const c = this.s.checks[id];
    c.checked++;
    if (!failed) return;
    c.failing++;
    if (c.examples.length < EXAMPLES) c.examples.push(clip(describeRef(ref), EXAMPLE_BYTES));
  }

  month(occurrence: unknown): void {
    const m = typeof occurrence === "string" ? /^(\d{4})(?:-(\d{2}))?/.exec(occurrence) : null;
    if (m === null) {
      this.s.undated++;
      return;
    }
    let year = m[1];
    if (this.s.years[year] === undefined && Object.keys(this.s.years).length >= YEARS_CAP - 1) {
      year = OTHER;
      if (!this.s.truncated.includes("year")) this.s.truncated.push("year");
    }
    const slots = this.s.years[year] ??= new Array(13).fill(0);
    const month = m[2] === undefined ? 13 : Number(m[2]);
    slots[month >= 1 && month <= 12 ? month - 1 : 12]++;
  }
}

function emptyPending(): PendingRecords {
  return { patient: [], immunization: [], other: [], idents: [] };
}

/** A source reference as the store keeps it: the line number alone for the run's main source. */
function storedRef(t: Tally, ref: SourceRef | undefined): number | string {
  if (ref === undefined) return "(unknown)";
  t.s.refSource ??= ref.source;
  if (ref.line !== undefined && ref.source === t.s.refSource) return ref.line;
  return clip(describeRef(ref), EXAMPLE_BYTES);
}

function addPatient(
  t: Tally,
  p: Resource,
  seq: number,
  ref: SourceRef | undefined,
  out: PendingRecords,
) {
  const idents = identifierKeys(p);
  const present = presentFields(p, idents.length);
  for (let i = 0; i < present.length; i++) if (present[i]) t.s.complete[COMPLETENESS_FIELDS[i]]++;
  const gender = typeof p.gender === "string" && p.gender !== "" ? p.gender : undefined;
  t.bump("gender", gender ?? "(none)");
  if (gender !== undefined) t.check("patient.gender-valueset", !GENDERS.has(gender), ref);
  const birth = earliestDay(p.birthDate);
  if (typeof p.birthDate === "string" && p.birthDate !== "") {
    const last = latestDay(p.birthDate);
    const bad = birth === undefined || birth > t.latest || last! < 19_000_101;
    t.check("patient.birthdate-valid", bad, ref);
  }
  const band = isDeceased(p)
    ? "deceased"
    : birth === undefined || birth > t.latest
    ? "unknown"
    : ageBand(birth, t.today);
  t.bump("ageBand", band);
  t.bump("race", raceOf(p));
  t.bump("ethnicity", ethnicityOf(p));
  t.bump("state", stateOf(p) ?? "(none)");
  const id = typeof p.id === "string" ? p.id : null;
  out.patient.push(seq, id, contentHash(p), storedRef(t, ref), birth ?? null);
  const n = Math.min(idents.length, IDENTIFIERS_PER_PATIENT);
  for (let i = 0; i < n; i++) {
    out.idents.push(seq * IDENTIFIERS_PER_PATIENT + i, textHash(idents[i]));
  }
}

function addImmunization(
  t: Tally,
  im: Resource,
  seq: number,
  ref: SourceRef | undefined,
  out: PendingRecords,
) {
  const code = cvxCodeOf(im, CVX_SYSTEM);
  t.bump("vaccine", code ?? "(none)");
  const status = code === undefined ? undefined : CVX_CODES.get(code)?.status;
  t.bump("cvxStatus", status ?? "unknown");
  t.check("immunization.cvx-known", status === undefined, ref);
  t.check("immunization.cvx-status", status === "Never Active", ref);
  const st = im.status;
  const badStatus = typeof st !== "string" || !IMMUNIZATION_STATUSES.has(st);
  t.check("immunization.status-present", badStatus, ref);
  const when = im.occurrenceDateTime;
  t.month(when);
  const first = earliestDay(when);
  if (first !== undefined) t.check("immunization.occurrence-not-future", first > t.latest, ref);
  const patient = referencedPatient(patientReference(im)) ?? null;
  const id = typeof im.id === "string" ? im.id : null;
  out.immunization.push(
    seq,
    id,
    contentHash(im),
    storedRef(t, ref),
    patient,
    latestDay(when) ?? null,
  );
}

/** The deterministic id of a plain row: its `id` column, else the source's key. */
function rowId(row: Record<string, unknown>, ref: SourceRef | undefined): string | null {
  const id = row.id;
  if (typeof id === "string" && id !== "") return id;
  if (typeof id === "number" || typeof id === "bigint") return String(id);
  return ref?.key ?? null;
}

/**
 * Count a batch of output records (the rows that reach the repository, after transforms) and
 * write their facts to the run's store in one transaction. Returns the new state; `state` is
 * left as it was.
 *
 * @example
 * ```ts
 * let state = newReportState({ asOf: ctx.now, source: "data/patients.csv" });
 * const store = openIdStore(analyticsPaths("data/analytics", ctx.ids).store);
 * for await (const batch of batches) state = addBatch(state, batch, store);
 * store.close();
 * ```
 */
export function addBatch(state: ReportState, batch: Batch, store: IdStore): ReportState {
  const t = new Tally(state);
  const pending = emptyPending();
  const from = state.seq;
  const { rows, refs } = batch;
  for (let i = 0; i < rows.length; i++) {
    const seq = from + i;
    const ref = refs[i];
    const resource = resourceOf(rows[i]);
    const type = resource?.resourceType ?? t.s.recordType;
    t.bump("type", type);
    t.bump("source", t.s.source ?? ref?.source ?? "(unknown)");
    if (resource === undefined) {
      const id = rowId(rows[i], ref);
      if (id !== null) {
        pending.other.push(seq, KIND.row, id, contentHash(rows[i]), storedRef(t, ref));
      }
    } else if (type === "Patient") addPatient(t, resource, seq, ref, pending);
    else if (type === "Immunization") addImmunization(t, resource, seq, ref, pending);
    else if (typeof resource.id === "string") {
      const key = `${type}/${resource.id}`;
      pending.other.push(seq, KIND.resource, key, contentHash(resource), storedRef(t, ref));
    }
  }
  t.s.seq = from + rows.length;
  t.s.total += rows.length;
  store.write(from, pending, t.s.seq);
  return t.done();
}
