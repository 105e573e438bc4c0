/**
 * Secrets inside pipeline specs. A spec's source and repository may hold secret fields (the ones
 * their registry entries name, e.g. `password`) or name a saved connection (`"connection":
 * "<id>"`) whose settings fill in the step. Specs are stored with every secret sealed by the
 * vault (`{ $sealed }`); only a run's step, inside the server, opens them, and what a step stores
 * again (the prepared run) is sealed anew.
 *
 * @example
 * ```ts
 * const secrets = specSecrets(vault, { connection: (t, id) => openConnection(kv, vault, t, id) });
 * const stored = await secrets.seal("clinic-a", spec);          // before saving
 * const usable = await secrets.open("clinic-a", stored);        // inside a run step
 * ```
 * @module
 */
import { ConfigError } from "../etl/errors.ts";
import { extractors } from "../etl/extract/mod.ts";
import { loaders } from "../etl/load/mod.ts";
import { isSealed, keepSecrets, MASK as VAULT_MASK } from "../vault/fields.ts";
import type { Vault } from "../vault/vault.ts";
import { MASK } from "./mask.ts";

type Step = Record<string, unknown>;

/** Seals and opens the secrets of specs for one deployment. */
export interface SpecSecrets {
  /**
   * A copy of `spec` with its steps' secret fields sealed. With `stored` (the spec as saved
   * before an edit), a secret left empty or still masked keeps its stored sealed value.
   */
  seal(tenant: string, spec: unknown, stored?: unknown): Promise<unknown>;
  /** A copy of `spec` with connections filled in and secrets opened; for run steps only. */
  open(tenant: string, spec: unknown): Promise<unknown>;
}

/** Options of {@link specSecrets}. */
export interface SpecSecretsOptions {
  /** A saved connection's step settings with secrets opened; undefined when there is none. */
  connection?: (tenant: string, id: string) => Promise<Step | undefined>;
}

const isStep = (v: unknown): v is Step => typeof v === "object" && v !== null && !Array.isArray(v);

/** The secret field names of a spec's source or repository step (none for unknown types). */
export function secretFields(side: "source" | "repository", step: unknown): readonly string[] {
  if (!isStep(step)) return [];
  const entry = side === "source"
    ? extractors.get(String(step.type))
    : loaders.get(String(step.type));
  return entry?.secrets ?? [];
}

/** Whether any secret field of `spec` is still sealed. */
export function hasSealed(spec: unknown): boolean {
  if (!isStep(spec)) return false;
  return (["source", "repository"] as const).some((side) => {
    const step = spec[side];
    return isStep(step) && secretFields(side, step).some((f) => isSealed(step[f]));
  });
}

/** Build the {@link SpecSecrets} of a vault. */
export function specSecrets(vault: Vault, options: SpecSecretsOptions = {}): SpecSecrets {
  async function sealStep(
    tenant: string,
    side: "source" | "repository",
    step: unknown,
    old: unknown,
  ) {
    if (!isStep(step)) return step;
    const names = secretFields(side, step);
    let out = step;
    if (isStep(old) && old.type === step.type) {
      // Both masks count as "unchanged": the API shows ******** and the vault's own mask.
      const unmasked = Object.fromEntries(
        Object.entries(out).map(([k, v]) => [k, v === MASK ? VAULT_MASK : v]),
      );
      out = keepSecrets(unmasked, old, names);
    }
    for (const name of names) {
      if (out[name] === MASK || out[name] === VAULT_MASK) {
        throw new ConfigError(
          `${side}.${name}: type the secret again (the masked value cannot be saved)`,
        );
      }
    }
    return await vault.sealFields(tenant, out, names);
  }

  async function openStep(tenant: string, side: "source" | "repository", step: unknown) {
    if (!isStep(step)) return step;
    let out = step;
    if (typeof step.connection === "string") {
      const saved = await options.connection?.(tenant, step.connection);
      if (!saved) {
        throw new ConfigError(
          `${side}.connection: there is no saved connection "${step.connection}"; choose another one`,
        );
      }
      const { connection: _, ...rest } = step;
      out = { ...saved, ...rest, type: saved.type ?? rest.type };
    }
    return await vault.openFields(tenant, out, secretFields(side, out));
  }

  return {
    async seal(tenant, spec, stored) {
      if (!isStep(spec)) return spec;
      const old = isStep(stored) ? stored : {};
      return {
        ...spec,
        source: await sealStep(tenant, "source", spec.source, old.source),
        repository: await sealStep(tenant, "repository", spec.repository, old.repository),
      };
    },
    async open(tenant, spec) {
      if (!isStep(spec)) return spec;
      return {
        ...spec,
        source: await openStep(tenant, "source", spec.source),
        repository: await openStep(tenant, "repository", spec.repository),
      };
    },
  };
}
