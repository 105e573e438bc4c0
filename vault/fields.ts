/**
 * Sealing, opening and masking the secret fields of a plain config object (the fields a registry
 * entry names in `secrets`, e.g. `password`, `token`). Only top-level fields are handled.
 *
 * A sealed field is stored as an object `{ $sealed: "v1.<iv>.<ciphertext>" }`, never as a bare
 * string, so a user's secret that happens to look like a sealed value (say `"v1.abc.def"`) is
 * still sealed as it is and comes back unchanged.
 * @module
 */

/** What pages and API answers show instead of a secret. */
export const MASK = "••••••";

/** A secret field as stored: the sealed string inside an object. */
export interface SealedField {
  /** The sealed value (`v1.<iv>.<ciphertext>`). */
  $sealed: string;
}

/** Whether `value` is a {@link SealedField}. */
export function isSealed(value: unknown): value is SealedField {
  return typeof value === "object" && value !== null &&
    typeof (value as { $sealed?: unknown }).$sealed === "string";
}

/**
 * A copy of `config` with each named secret that holds a string sealed by `seal`. Sealed fields,
 * missing fields and `null` are left alone; any other type is a TypeError naming the field.
 */
export async function sealFieldsWith(
  config: Record<string, unknown>,
  secretNames: readonly string[],
  seal: (plaintext: string) => Promise<string>,
): Promise<Record<string, unknown>> {
  const out = { ...config };
  for (const name of secretNames) {
    const value = out[name];
    if (value === undefined || value === null || isSealed(value)) continue;
    if (typeof value !== "string") {
      throw new TypeError(
        `Secret field "${name}" must be a string to be sealed, not ${typeof value}`,
      );
    }
    out[name] = { $sealed: await seal(value) } satisfies SealedField;
  }
  return out;
}

/** A copy of `config` with each named sealed field opened by `open`; other fields as they are. */
export async function openFieldsWith(
  config: Record<string, unknown>,
  secretNames: readonly string[],
  open: (sealed: string) => Promise<string>,
): Promise<Record<string, unknown>> {
  const out = { ...config };
  for (const name of secretNames) {
    const value = out[name];
    if (isSealed(value)) out[name] = await open(value.$sealed);
  }
  return out;
}

/**
 * A copy of `config` with every named secret that is set replaced by {@link MASK}.
 *
 * @example
 * ```ts
 * mask({ host: "db", password: { $sealed: "v1.…" } }, ["password"]); // { host: "db", password: "••••••" }
 * ```
 */
export function mask(
  config: Record<string, unknown>,
  secretNames: readonly string[],
): Record<string, unknown> {
  const out = { ...config };
  for (const name of secretNames) {
    if (out[name] !== undefined && out[name] !== null && out[name] !== "") out[name] = MASK;
  }
  return out;
}

/**
 * An edited config whose untouched secrets (left empty, missing, or still the {@link MASK}) keep
 * their stored values, so editing a connection without retyping its password keeps it.
 *
 * @example
 * ```ts
 * keepSecrets({ host: "db2", password: MASK }, stored, ["password"]); // password: stored.password
 * ```
 */
export function keepSecrets(
  edited: Record<string, unknown>,
  stored: Record<string, unknown>,
  secretNames: readonly string[],
): Record<string, unknown> {
  const out = { ...edited };
  for (const name of secretNames) {
    const value = out[name];
    if (value === undefined || value === null || value === "" || value === MASK) {
      if (stored[name] === undefined) delete out[name];
      else out[name] = stored[name];
    }
  }
  return out;
}
