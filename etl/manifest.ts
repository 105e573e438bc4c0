/**
 * The run manifest: what went in (fingerprints), what recipe ran (pipeline hash, engine
 * version), what came out (location, checksum) and the counts.
 * @module
 */
import type { Plan } from "./plan.ts";
import type { InputFingerprint, LoadResult, StageCounts } from "./types.ts";
import { ENGINE_VERSION } from "./version.ts";

/** A run manifest; contains no secrets (the spec itself is not copied, only its hash). */
export interface Manifest {
  manifestVersion: 1;
  engineVersion: string;
  pipeline: { name: string; hash: string };
  inputs: InputFingerprint[];
  output: LoadResult & { format?: string; repository: string };
  counts: StageCounts;
  startedAt: string;
  finishedAt: string;
}

/** Build the manifest of a finished run. */
export function buildManifest(
  plan: Plan,
  inputs: InputFingerprint[],
  output: LoadResult,
  counts: StageCounts,
  started: Date,
): Manifest {
  return {
    manifestVersion: 1,
    engineVersion: ENGINE_VERSION,
    pipeline: { name: plan.spec.name, hash: plan.hash },
    inputs,
    output: { ...output, format: plan.format?.entry.type, repository: plan.repository.entry.type },
    counts,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}
