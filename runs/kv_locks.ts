/**
 * A Deno KV handle that waits out "database is locked". Several handles on one KV file (step
 * Web Workers, worker processes) get that refusal instead of waiting when another holds the
 * write lock; a refused read or commit did not happen, so doing it again is safe, and the
 * engine's versionstamp checks keep a repeated commit from applying twice.
 * @module
 */
import { retryLocked } from "../triggers/_kv.ts";

const RETRIED = new Set(["get", "getMany", "set", "delete", "enqueue"]);

/**
 * Wrap `kv` so single reads, writes and atomic commits are retried (jittered backoff, ~5 s)
 * while the file is locked; after that they throw a RetriableError. `list` and `watch` are
 * passed through as they are.
 *
 * @example
 * ```ts
 * const kv = tolerateLocks(await Deno.openKv("data/local/portal.kv"));
 * ```
 */
export function tolerateLocks(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "atomic") return () => tolerantAtomic(target.atomic());
      if (typeof prop === "string" && RETRIED.has(prop)) {
        return (...args: unknown[]) => retryLocked(() => value.apply(target, args));
      }
      return value.bind(target);
    },
  });
}

function tolerantAtomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
  const proxy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "commit") return () => retryLocked(() => target.commit());
      // Builder methods return the operation: hand back the wrapper so `commit` stays retried.
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result === target ? proxy : result;
      };
    },
  });
  return proxy;
}
