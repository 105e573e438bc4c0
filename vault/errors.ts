/**
 * The one error the vault throws for a secret or data key it cannot read. Its message names the
 * tenant and master key ids only, never a secret or key material.
 * @module
 */

/**
 * A stored secret or data key could not be decrypted (changed, copied from another tenant, or
 * sealed under a master key that is not loaded).
 *
 * @example
 * ```ts
 * try {
 *   await vault.open("acme", sealed);
 * } catch (err) {
 *   if (err instanceof VaultError) console.error(err.message); // safe to show
 * }
 * ```
 */
export class VaultError extends Error {
  override name = "VaultError";
}
