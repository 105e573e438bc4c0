/**
 * New / changed / unchanged / removed records against the previous successful run of the same
 * pipeline, by deterministic id and content hash. Each pipeline keeps one small SQLite file
 * (`latest.sqlite`: id → hash, plus the run id and its checks' statuses); `promote()` replaces
 * it, atomically (a new file renamed over the old one), only when the caller says the run
 * succeeded.
 * @module
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { CheckStatus, ReportBody } from "./report.ts";
import type { IdStore } from "./store.ts";

/** Counts of the comparison, and what the previous run's checks said. */
export interface LatestComparison {
  previousRun: string | null;
  previousChecks: Record<string, CheckStatus>;
  current: number;
  previous: number;
  new: number;
  changed: number;
  unchanged: number;
  removed: number;
}

/**
 * Build the run's id → hash table (`cur`; the last record wins for an id seen twice), and
 * compare it with the pipeline's latest table when there is one.
 */
export function compareWithLatest(
  db: DatabaseSync,
  latestPath: string | undefined,
): LatestComparison | null {
  db.exec(`
    DROP TABLE IF EXISTS cur;
    CREATE TABLE cur (key TEXT PRIMARY KEY, hash INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO cur SELECT key, hash FROM (
      SELECT kind || ':' || id AS key, hash, MAX(seq) FROM records WHERE id IS NOT NULL
      GROUP BY key ORDER BY key);
  `);
  if (latestPath === undefined || !existsSync(latestPath)) return null;
  db.prepare("ATTACH DATABASE ? AS prev").run(latestPath);
  try {
    const c = db.prepare(`
      SELECT COUNT(*) AS current, SUM(p.key IS NULL) AS new,
        SUM(p.hash <> c.hash) AS changed, SUM(p.hash = c.hash) AS unchanged
      FROM cur c LEFT JOIN prev.latest p ON p.key = c.key`).get()!;
    const previous = Number(db.prepare("SELECT COUNT(*) AS n FROM prev.latest").get()!.n);
    const meta = db.prepare("SELECT run, checks FROM prev.meta").get();
    const [current, changed, unchanged] = [c.current, c.changed, c.unchanged].map((v) =>
      Number(v ?? 0)
    );
    return {
      previousRun: typeof meta?.run === "string" ? meta.run : null,
      previousChecks: typeof meta?.checks === "string" ? JSON.parse(meta.checks) : {},
      current,
      previous,
      new: Number(c.new ?? 0),
      changed,
      unchanged,
      removed: previous - changed - unchanged,
    };
  } finally {
    db.exec("DETACH DATABASE prev");
  }
}

/**
 * Make this run the pipeline's baseline: write its id → hash table (and its run id and check
 * statuses, from the finished report) to a new file beside `latestPath`, then rename it over
 * `latestPath`. Call only when the run succeeded, after `finishReport()`.
 *
 * @example
 * ```ts
 * const report = finishReport(state, store, { ids, latestPath });
 * // … the run is published and marked succeeded …
 * promote(store, latestPath, report);
 * ```
 */
export function promote(store: IdStore, latestPath: string, report: ReportBody<unknown>): void {
  const db = store.db;
  const ready = db.prepare("SELECT name FROM sqlite_schema WHERE name = 'cur'").get();
  if (!ready) {
    throw new Error(
      `Cannot promote run ${report.run}: its report was not finished; call finishReport() first`,
    );
  }
  mkdirSync(dirname(latestPath), { recursive: true });
  const temp = `${latestPath}.${crypto.randomUUID()}.tmp`;
  const checks = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  db.prepare("ATTACH DATABASE ? AS next").run(temp);
  try {
    db.exec(`
      PRAGMA next.journal_mode = DELETE;
      PRAGMA next.synchronous = FULL;
      BEGIN;
      CREATE TABLE next.latest (key TEXT PRIMARY KEY, hash INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO next.latest SELECT key, hash FROM cur ORDER BY key;
      CREATE TABLE next.meta (run TEXT NOT NULL, generatedAt TEXT NOT NULL, checks TEXT NOT NULL);
    `);
    db.prepare("INSERT INTO next.meta VALUES (?, ?, ?)")
      .run(report.run, report.generatedAt, JSON.stringify(checks));
    db.exec("COMMIT");
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    db.exec("DETACH DATABASE next");
    rmSync(temp, { force: true });
    throw err;
  }
  db.exec("DETACH DATABASE next");
  // synchronous = FULL synced the file at COMMIT; the rename makes it the baseline at once.
  renameSync(temp, latestPath);
}
