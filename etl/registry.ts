/**
 * Registries: explicit lists turned into lookups by `type`. A duplicate `type` is a programming
 * error and throws when the registry is built.
 * @module
 */

/** A lookup over entries that each have a unique `type`. */
export interface Registry<E extends { type: string }> {
  readonly entries: readonly E[];
  get(type: string): E | undefined;
  types(): string[];
}

/**
 * Build a registry from an explicit list.
 *
 * @example
 * ```ts
 * const extractors = createRegistry("extractor", [csvExtractor, jsonExtractor]);
 * extractors.get("csv");
 * ```
 */
export function createRegistry<E extends { type: string }>(
  kind: string,
  entries: readonly E[],
): Registry<E> {
  const byType = new Map<string, E>();
  for (const entry of entries) {
    if (byType.has(entry.type)) throw new Error(`Duplicate ${kind} type "${entry.type}"`);
    byType.set(entry.type, entry);
  }
  return {
    entries,
    get: (type) => byType.get(type),
    types: () => [...byType.keys()],
  };
}
