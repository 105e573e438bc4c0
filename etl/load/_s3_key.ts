/**
 * Object key templates of the S3 repository: `{tenant}/{pipeline}/{run}/{date}.{ext}` expanded
 * from the run's names, and the checks that keep the resulting key a plain relative path.
 * @module
 */
import { ConfigError } from "../errors.ts";

/** The placeholders a key template may use. */
export const KEY_PLACEHOLDERS = ["tenant", "pipeline", "run", "date", "ext"] as const;

/** A value for each placeholder. */
export type KeyValues = Record<(typeof KEY_PLACEHOLDERS)[number], string>;

const PLACEHOLDER = /\{([^{}]*)\}/g;
// S3 limits keys to 1,024 bytes of UTF-8.
const MAX_KEY_BYTES = 1024;

/** Placeholders in `template` that are not {@link KEY_PLACEHOLDERS}, each once, as written. */
export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = KEY_PLACEHOLDERS;
  const bad = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((n) =>
    !known.includes(n)
  );
  return [...new Set(bad)].map((n) => `{${n}}`);
}

/** Why `key` is not a safe object key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key === "") return "it is empty";
  if (key.startsWith("/")) return 'it starts with "/"';
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "it contains a control character";
  if (key.split("/").some((s) => s === "..")) return 'it contains a ".." segment';
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return "it is longer than 1,024 bytes";
  return undefined;
}

/**
 * Expand a key template and check the result; a ConfigError names unknown placeholders or says
 * why the key is unsafe.
 *
 * @example
 * ```ts
 * expandKey("{tenant}/{date}.{ext}", { tenant: "t1", pipeline: "p", run: "r", date: "2026-11-26", ext: "csv" });
 * // "t1/2026-11-26.csv"
 * ```
 */
export function expandKey(template: string, values: KeyValues): string {
  const unknown = unknownPlaceholders(template);
  if (unknown.length > 0) {
    throw new ConfigError(
      `The object key "${template}" uses unknown placeholders ${unknown.join(", ")}; ` +
        `use only ${KEY_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
    );
  }
  const key = template.replace(PLACEHOLDER, (_, name: keyof KeyValues) => values[name]);
  const problem = keyProblem(key);
  if (problem) {
    throw new ConfigError(
      `The object key "${printable(key)}" (from "${
        printable(template)
      }") cannot be used: ${problem}`,
    );
  }
  return key;
}

/** The values of a run's placeholders: ids, the run date as YYYY-MM-DD (UTC), the extension. */
export function keyValues(
  ids: { tenant: string; pipeline: string; run: string },
  now: Date,
  ext: string,
): KeyValues {
  return { ...ids, date: now.toISOString().slice(0, 10), ext };
}

// deno-lint-ignore no-control-regex
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f]/g, "?");
