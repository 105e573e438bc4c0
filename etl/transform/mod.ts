/**
 * The transformations a pipeline can apply. Add one: a new file and one line in `TRANSFORMERS`.
 * @module
 */
import { createRegistry } from "../registry.ts";
import type { Transformer } from "../types.ts";
import { normalizeTransformer } from "./normalize.ts";

/** Every transformation, in the order the dashboard offers them. */
export const TRANSFORMERS: readonly Transformer[] = [normalizeTransformer];

/** Transformations by `type`. */
export const transformers = createRegistry("transformer", TRANSFORMERS);
