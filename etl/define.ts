/**
 * Typed constructors for registry entries: they only fix the type parameters, so an entry's
 * `run` sees its parsed config type.
 * @module
 */
import type { z } from "zod";
import type { Extractor, Format, Loader, Transformer } from "./types.ts";

/** Declare a source. @example `export const csvExtractor = defineExtractor({ type: "csv", ... })` */
export function defineExtractor<C extends z.ZodType>(entry: Extractor<C>): Extractor<C> {
  return entry;
}

/** Declare a transformation. */
export function defineTransformer<C extends z.ZodType>(entry: Transformer<C>): Transformer<C> {
  return entry;
}

/** Declare an output format. */
export function defineFormat<C extends z.ZodType>(entry: Format<C>): Format<C> {
  return entry;
}

/** Declare a repository. */
export function defineLoader<C extends z.ZodType>(entry: Loader<C>): Loader<C> {
  return entry;
}
