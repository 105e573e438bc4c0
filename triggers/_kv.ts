/**
 * Deno KV on a local file shared by several processes answers "database is locked" instead of
 * waiting when another process holds the write lock (measured here: a third of 600
 * concurrent commits from 3 processes). A locked commit did not apply, so it is safe to retry.
 * @module
 */
import { RetriableError } from "../etl/errors.ts";

/** Whether `err` is KV's "database is locked" refusal. */
export function isKvLocked(err: unknown): boolean {
  return err instanceof Error && /database is locked|database table is locked/i.test(err.message);
}

/**
 * Run `fn` (a read + atomic commit) again while KV reports its file locked, with jittered
 * backoff for up to about `budgetMs`; then throw a RetriableError.
 */
export async function retryLocked<T>(fn: () => Promise<T>, budgetMs = 5_000): Promise<T> {
  const started = Date.now();
  for (let round = 0;; round++) {
    try {
      return await fn();
    } catch (err) {
      if (!isKvLocked(err)) throw err;
      if (Date.now() - started > budgetMs) {
        throw new RetriableError("The run database stayed busy for several seconds; try again");
      }
      const ceiling = Math.min(200, 2 ** round);
      await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * ceiling));
    }
  }
}
