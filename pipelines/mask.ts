/**
 * Masking a spec's secret fields before it is shown: the registries name, per source and
 * repository type, which config fields hold secrets (`Extractor.secrets`, `Loader.secrets`).
 * @module
 */
import { extractors } from "../etl/extract/mod.ts";
import { loaders } from "../etl/load/mod.ts";

/** What a secret field shows instead of its value. */
export const MASK = "********";

type Step = Record<string, unknown>;

const isStep = (v: unknown): v is Step => typeof v === "object" && v !== null && !Array.isArray(v);

function maskStep(step: unknown, secrets: readonly string[] | undefined): unknown {
  if (!isStep(step) || !secrets) return step;
  const out: Step = { ...step };
  for (const field of secrets) {
    if (out[field] !== undefined && out[field] !== null && out[field] !== "") out[field] = MASK;
  }
  return out;
}

/**
 * A copy of `spec` with every secret field of its source and repository replaced by
 * {@link MASK}. Unknown types are left as they are (they hold no known secrets).
 */
export function maskSpec(spec: unknown): unknown {
  if (!isStep(spec)) return spec;
  const source = isStep(spec.source) ? extractors.get(String(spec.source.type)) : undefined;
  const repository = isStep(spec.repository)
    ? loaders.get(String(spec.repository.type))
    : undefined;
  return {
    ...spec,
    source: maskStep(spec.source, source?.secrets),
    repository: maskStep(spec.repository, repository?.secrets),
  };
}
