/**
 * The questions the report asks the run's store when it is finished: checks across records
 * (duplicate identifiers, references, immunizations before birth) and immunizations per
 * patient. Patients may come after their immunizations, so nothing here depends on order.
 * @module
 */
import type { DatabaseSync, SQLOutputValue } from "node:sqlite";
import { EXAMPLES } from "./state.ts";
import { IDENTIFIERS_PER_PATIENT } from "./store.ts";

/** A finish-time check's counts, with the store references of its first failing rows. */
export interface CheckTally {
  failing: number;
  checked: number;
  refs: SQLOutputValue[];
}

/** What the store answers. */
export interface StoreFacts {
  /** Distinct patient ids in the run. */
  patientIds: number;
  /** Patient records whose id some immunization of the run refers to, and the others. */
  inRun: { with: number; without: number };
  /** Distinct referenced patients. */
  referenced: number;
  /** Immunizations per referenced patient: [immunizations, patients]. */
  perPatient: [number, number][];
  resolves: CheckTally;
  afterBirth: CheckTally;
  identifierUnique: CheckTally;
}

const count = (db: DatabaseSync, sql: string): number =>
  Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);

const refs = (db: DatabaseSync, sql: string): SQLOutputValue[] =>
  db.prepare(`${sql} ORDER BY seq LIMIT ${EXAMPLES}`).all().map((r) => r.ref);

/** Build the working tables and answer every question. Safe to run again. */
export function storeFacts(db: DatabaseSync): StoreFacts {
  db.exec(`
    PRAGMA cache_size = -32768;
    DROP TABLE IF EXISTS temp.pat;
    DROP TABLE IF EXISTS temp.ipp;
    DROP TABLE IF EXISTS temp.cand;
    CREATE TEMP TABLE pat (id TEXT PRIMARY KEY, birth INTEGER) WITHOUT ROWID;
    INSERT INTO pat SELECT id, MIN(birth) FROM records WHERE kind = 1 AND id IS NOT NULL
      GROUP BY id;
    CREATE TEMP TABLE ipp (patient TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO ipp SELECT patient, COUNT(*) FROM records WHERE kind = 2 AND patient IS NOT NULL
      GROUP BY patient;
    CREATE TEMP TABLE cand (h INTEGER PRIMARY KEY);
    INSERT INTO cand SELECT h FROM idents GROUP BY h HAVING COUNT(*) > 1;
  `);
  const patientIds = count(db, "SELECT COUNT(*) AS n FROM pat");
  const withImm = count(
    db,
    "SELECT COUNT(*) AS n FROM records WHERE kind = 1 AND id IN (SELECT patient FROM ipp)",
  );
  const patients = count(db, "SELECT COUNT(*) AS n FROM records WHERE kind = 1");
  const perPatient = db.prepare("SELECT n, COUNT(*) AS c FROM ipp GROUP BY n ORDER BY n").all()
    .map((r) => [Number(r.n), Number(r.c)] as [number, number]);
  const immunizations = count(db, "SELECT COUNT(*) AS n FROM records WHERE kind = 2");
  const unresolved = "FROM records WHERE kind = 2 AND " +
    "(patient IS NULL OR patient NOT IN (SELECT id FROM pat))";
  const resolves: CheckTally = patientIds === 0 ? { failing: 0, checked: 0, refs: [] } : {
    failing: count(db, `SELECT COUNT(*) AS n ${unresolved}`),
    checked: immunizations,
    refs: refs(db, `SELECT ref ${unresolved}`),
  };
  const dated = "FROM records i JOIN pat p ON p.id = i.patient " +
    "WHERE i.kind = 2 AND i.day IS NOT NULL AND p.birth IS NOT NULL";
  const afterBirth: CheckTally = {
    failing: count(db, `SELECT COUNT(*) AS n ${dated} AND i.day < p.birth`),
    checked: count(db, `SELECT COUNT(*) AS n ${dated}`),
    refs: refs(db, `SELECT i.ref AS ref, i.seq AS seq ${dated} AND i.day < p.birth`),
  };
  // Only identifiers seen twice can be shared; of those, count the patient records whose
  // identifier also belongs to a different patient id (a patient repeated is not a duplicate).
  const shared = `FROM records r WHERE r.kind = 1 AND r.seq IN (
      SELECT i.k / ${IDENTIFIERS_PER_PATIENT} FROM idents i JOIN cand c ON c.h = i.h
      WHERE i.h IN (
        SELECT i2.h FROM idents i2 JOIN cand c2 ON c2.h = i2.h
        JOIN records r2 ON r2.seq = i2.k / ${IDENTIFIERS_PER_PATIENT}
        GROUP BY i2.h HAVING COUNT(DISTINCT COALESCE(r2.id, '#' || r2.seq)) > 1))`;
  // Checked: patients with an identifier, which the report state counts (completeness).
  const identifierUnique: CheckTally = {
    failing: count(db, `SELECT COUNT(*) AS n ${shared}`),
    checked: 0,
    refs: refs(db, `SELECT r.ref AS ref, r.seq AS seq ${shared}`),
  };
  return {
    patientIds,
    inRun: { with: withImm, without: patients - withImm },
    referenced: count(db, "SELECT COUNT(*) AS n FROM ipp"),
    perPatient,
    resolves,
    afterBirth,
    identifierUnique,
  };
}
