/**
 * A run's stored plan keeps its spec's secrets sealed; steps open them just before use and seal
 * again whatever they store. Also where a tenant's files live when the deployment keeps each
 * tenant's inputs and outputs in a folder of its own.
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../etl/errors.ts";
import type { PreparedRun } from "../etl/steps.ts";
import { hasSealed, type SpecSecrets } from "../pipelines/spec_secrets.ts";
import type { StoredPlan } from "./run_record.ts";

/** The parts of the engine's deps this module reads. */
export interface PlanSecretsDeps {
  /** Seals and opens spec secrets; without it specs are used as they are. */
  secrets?: SpecSecrets;
}

/** `spec` with its secrets sealed (as it is when the deployment has no vault). */
export async function sealedSpec(deps: PlanSecretsDeps, tenant: string, spec: unknown) {
  return deps.secrets ? await deps.secrets.seal(tenant, spec) : spec;
}

/** `spec` ready to run: connections filled in, secrets opened. */
export async function openedSpec(
  deps: PlanSecretsDeps,
  tenant: string,
  spec: unknown,
): Promise<unknown> {
  if (deps.secrets) return await deps.secrets.open(tenant, spec);
  if (hasSealed(spec)) {
    throw new ConfigError(
      "This run's credentials are encrypted and this process has no master key; start it with MASTER_KEY set",
    );
  }
  return spec;
}

/** A stored plan with its spec and prepared spec opened, for one step's use (never stored). */
export async function openPlan(
  deps: PlanSecretsDeps,
  tenant: string,
  stored: StoredPlan,
): Promise<StoredPlan> {
  if (!stored.prepared) return stored;
  return {
    spec: stored.spec,
    prepared: { ...stored.prepared, spec: await openedSpec(deps, tenant, stored.prepared.spec) },
  };
}

/** A prepared run with its spec's secrets sealed again, to store. */
export async function sealPrepared(
  deps: PlanSecretsDeps,
  tenant: string,
  prepared: PreparedRun,
): Promise<PreparedRun> {
  return { ...prepared, spec: await sealedSpec(deps, tenant, prepared.spec) };
}

/** Where a tenant's inputs and outputs are: `<root>/<tenant>` when files are per tenant. */
export function tenantRoot(root: string, tenant: string, perTenant: boolean | undefined): string {
  return perTenant ? join(root, tenant) : root;
}
