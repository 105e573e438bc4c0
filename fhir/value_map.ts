/**
 * Value maps: source values → target codes, compared case- and style-insensitively
 * ("Non-Hispanic" = "nonhispanic" = "NON_HISPANIC"). Lookups go through an exact-value cache
 * first, so the key normalisation runs once per distinct source value, not once per row.
 * @module
 */

/**
 * The comparison key of a value or column name: lowercase letters and digits only.
 *
 * @example
 * ```ts
 * normalizeKey("Date_Of-Birth"); // "dateofbirth"
 * ```
 */
export function normalizeKey(value: string): string {
  let out = "";
  let clean = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
      clean = false;
      break;
    }
  }
  if (clean) return value;
  const lower = value.toLowerCase();
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127) out += lower[i];
  }
  return out;
}

/** A compiled value map. */
export interface ValueMap {
  /** The target for a source value, or `undefined` when the map has none. */
  get(value: string): string | undefined;
}

const CACHE_LIMIT = 4096;

/**
 * Build a value map from defaults and user entries (user entries win). Keys of both are
 * compared by {@link normalizeKey}; the empty key "" matches a blank value.
 *
 * @example
 * ```ts
 * const gender = createValueMap({ m: "male", f: "female" }, { "9": "unknown" });
 * gender.get("M"); // "male"
 * gender.get("9"); // "unknown"
 * ```
 */
export function createValueMap(
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>> = {},
): ValueMap {
  const byKey = new Map<string, string>();
  // "?" or "-" normalise to "" and must not match the blank-cell entry: keep them verbatim.
  const symbols = new Map<string, string>();
  for (const [k, v] of [...Object.entries(defaults), ...Object.entries(overrides)]) {
    const key = normalizeKey(k);
    if (key === "" && k.trim() !== "") symbols.set(k.trim(), v);
    else byKey.set(key, v);
  }
  const exact = new Map<string, string | undefined>();
  return {
    get(value) {
      const hit = exact.get(value);
      if (hit !== undefined || exact.has(value)) return hit;
      const key = normalizeKey(value);
      const target = key === "" && value.trim() !== "" ? symbols.get(value.trim()) : byKey.get(key);
      // Free-text columns could hold millions of distinct values: keep the cache bounded.
      if (exact.size < CACHE_LIMIT) exact.set(value, target);
      return target;
    },
  };
}
