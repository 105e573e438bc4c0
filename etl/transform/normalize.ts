/**
 * The normalize transform: field names to snake_case, trimming, null tokens, and typed values
 * (integer, decimal, boolean, date, datetime, json) inferred from a sample or declared per
 * column. A value that does not fit its column's type rejects the row with column and value.
 * @module
 */
import { z } from "zod";
import { defineTransformer } from "../define.ts";
import { COLUMN_TYPES, type ColumnType, type Row, type Schema } from "../types.ts";
import { coerce, CoerceError, type DateOrder, inferType } from "./coerce.ts";
import { renameFields } from "./names.ts";

const ColumnTypeEnum = z.enum(COLUMN_TYPES as [ColumnType, ...ColumnType[]]);

/** Config of the normalize transform. */
export const NormalizeConfig = z.object({
  fieldNames: z.enum(["snake_case", "lower", "keep"]).default("snake_case")
    .describe("How to rename fields"),
  trim: z.boolean().default(true).describe("Remove spaces around values"),
  nullTokens: z.array(z.string()).default(["", "NULL", "N/A"])
    .describe("Values that mean 'no value' (compared without case)"),
  types: z.record(z.string(), ColumnTypeEnum).default({})
    .describe("Column types by source or output name; others are inferred"),
  infer: z.boolean().default(true).describe("Infer types of undeclared columns from a sample"),
  dateOrder: z.enum(["mdy", "dmy"]).default("mdy").describe("Order of slash dates like 03/04/2020"),
});

type Config = z.output<typeof NormalizeConfig>;

// Identifiers and codes look numeric but lose meaning as numbers ("02451", "0012").
const KEEP_AS_TEXT =
  /(^|_)(zip|zipcode|postal|postcode|phone|fax|mobile|ssn|mrn|npi|code|cvx|id|ids|identifier|number|no|lot)($|_)/;

interface Plan {
  /** Source key → output name. */
  names: Map<string, string>;
  types: Map<string, ColumnType>;
  nulls: Set<string>;
}

function planFor(config: Config, keys: string[]): Plan {
  const out = renameFields(keys, config.fieldNames);
  const names = new Map(keys.map((k, i) => [k, out[i]]));
  const types = new Map<string, ColumnType>();
  for (const [i, key] of keys.entries()) {
    types.set(out[i], config.types[out[i]] ?? config.types[key] ?? "string");
  }
  return { names, types, nulls: new Set(config.nullTokens.map((t) => t.toLowerCase())) };
}

function clean(value: unknown, config: Config, nulls: Set<string>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") return value;
  const s = config.trim ? value.trim() : value;
  return nulls.has(s.toLowerCase()) ? null : s;
}

/** The normalize transform. */
export const normalizeTransformer = defineTransformer({
  type: "normalize",
  title: "Normalize fields",
  description: "snake_case names, trimmed values, nulls, and typed values checked per column",
  config: NormalizeConfig,
  secrets: [],
  stage: "normalized",
  prepare(config, input, sample) {
    const keys = input.columns.length > 0 ? input.columns.map((c) => c.name) : keysOf(sample);
    const plan = planFor(config, keys);
    const problems: string[] = [];
    const outNames = new Set(plan.names.values());
    for (const name of Object.keys(config.types)) {
      if (!plan.names.has(name) && !outNames.has(name)) {
        problems.push(`types.${name}: unknown column "${name}"`);
      }
    }
    const types: Record<string, ColumnType> = {};
    for (const key of keys) {
      const name = plan.names.get(key)!;
      const declared = config.types[name] ?? config.types[key];
      if (declared) types[name] = declared;
      else if (!config.infer || KEEP_AS_TEXT.test(name)) types[name] = "string";
      else {
        const values = sample.map((r) => clean(r[key], config, plan.nulls)).filter((v) =>
          v !== null
        );
        types[name] = inferType(values, config.dateOrder as DateOrder);
      }
    }
    const schema: Schema = {
      columns: keys.map((k) => ({ name: plan.names.get(k)!, type: types[plan.names.get(k)!] })),
    };
    return { config: { ...config, types, infer: false }, schema, problems };
  },
  run(ctx, config, batch) {
    const rows: Row[] = [];
    const refs = [];
    let plan: Plan | undefined;
    let planKeys = "";
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r];
      const keys = Object.keys(row);
      const signature = keys.join("\u0000");
      if (!plan || signature !== planKeys) {
        plan = planFor(config, keys);
        planKeys = signature;
      }
      const out: Row = {};
      let problem: string | undefined;
      for (const key of keys) {
        const name = plan.names.get(key)!;
        const value = clean(row[key], config, plan.nulls);
        if (value === null) {
          out[name] = null;
          continue;
        }
        try {
          out[name] = coerce(value, plan.types.get(name)!, config.dateOrder as DateOrder);
        } catch (err) {
          if (!(err instanceof CoerceError)) throw err;
          problem = `column "${key}": ${err.message}`;
          break;
        }
      }
      if (problem) ctx.reject(batch.refs[r], "normalized", problem);
      else {
        rows.push(out);
        refs.push(batch.refs[r]);
      }
    }
    return { rows, refs, cursor: batch.cursor };
  },
});

function keysOf(sample: Row[]): string[] {
  const keys = new Set<string>();
  for (const row of sample) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}
