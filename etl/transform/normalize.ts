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
import { rowMapper } from "../row_builder.ts";
import type { CsvBlock } from "../columnar.ts";
import { BlockNormalizer, type Cell, CellError } from "./_normalize_columns.ts";

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
  keys: string[];
  names: string[];
  /** Builds one output row; throws CellError for a value that does not fit. */
  build: (row: Row) => Row;
}

/** A cell function: trim, null tokens, then coercion to the column's type. */
function cellFor(config: Config, key: string, type: ColumnType): Cell {
  const nulls = new Set(config.nullTokens.map((t) => t.toLowerCase()));
  // Only a value as long as some token can be one: most values skip the lowercase copy.
  const lengths = new Set(config.nullTokens.map((t) => t.length));
  const trim = config.trim;
  const order = config.dateOrder as DateOrder;
  return (value) => {
    if (value === null || value === undefined) return null;
    let v = value;
    if (typeof v === "string") {
      if (trim) v = v.trim();
      const s = v as string;
      if (lengths.has(s.length) && nulls.has(s.toLowerCase())) return null;
      if (type === "string") return s;
    }
    try {
      return coerce(v, type, order);
    } catch (err) {
      if (err instanceof CoerceError) throw new CellError(`column "${key}": ${err.message}`);
      throw err;
    }
  };
}

/** The plan for rows with these keys: output names and a row builder (see row_builder.ts). */
function planFor(config: Config, keys: string[]): Plan {
  const names = renameFields(keys, config.fieldNames);
  const cells = keys.map((key, i) =>
    cellFor(config, key, config.types[names[i]] ?? config.types[key] ?? "string")
  );
  const build = rowMapper(names, keys, cells);
  return { keys, names, build };
}

/** A raw value trimmed, with null tokens as null (for inference on the sample). */
function clean(value: unknown, config: Config, nulls: Set<string>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") return value;
  const s = config.trim ? value.trim() : value;
  return nulls.has(s.toLowerCase()) ? null : s;
}

/**
 * True when `row` has exactly the plan's keys. Rows of one source almost always list them in
 * the plan's order: that is checked in one pass; any other order is counted and looked up.
 */
function sameKeys(row: Row, keys: string[]): boolean {
  let i = 0;
  for (const key in row) {
    if (key !== keys[i]) return sameKeySet(row, keys);
    i++;
  }
  return i === keys.length;
}

function sameKeySet(row: Row, keys: string[]): boolean {
  let count = 0;
  for (const _ in row) count++;
  if (count !== keys.length) return false;
  for (const key of keys) if (!(key in row)) return false;
  return true;
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
    const outNames = renameFields(keys, config.fieldNames);
    const nameOf = new Map(keys.map((k, i) => [k, outNames[i]]));
    const nulls = new Set(config.nullTokens.map((t) => t.toLowerCase()));
    const problems: string[] = [];
    for (const name of Object.keys(config.types)) {
      if (!nameOf.has(name) && !outNames.includes(name)) {
        problems.push(`types.${name}: unknown column "${name}"`);
      }
    }
    const types: Record<string, ColumnType> = {};
    for (const key of keys) {
      const name = nameOf.get(key)!;
      const declared = config.types[name] ?? config.types[key];
      if (declared) types[name] = declared;
      else if (!config.infer || KEEP_AS_TEXT.test(name)) types[name] = "string";
      else {
        const values = sample.map((r) => clean(r[key], config, nulls)).filter((v) => v !== null);
        types[name] = inferType(values, config.dateOrder as DateOrder);
      }
    }
    const schema: Schema = {
      columns: outNames.map((name) => ({ name, type: types[name] })),
    };
    return { config: { ...config, types, infer: false }, schema, problems };
  },
  columnar: true,
  run(ctx, config, batch) {
    if (batch.columnar?.kind === "csv") {
      const columnar = blockNormalizer(config, batch.columnar).run(ctx, batch.columnar);
      return { rows: [], refs: [], cursor: batch.cursor, columnar };
    }
    const rows: Row[] = [];
    const refs = [];
    let plan: Plan | undefined;
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r];
      if (!plan || !sameKeys(row, plan.keys)) plan = planFor(config, Object.keys(row));
      try {
        rows.push(plan.build(row));
        refs.push(batch.refs[r]);
      } catch (err) {
        if (!(err instanceof CellError)) throw err;
        ctx.reject(batch.refs[r], "normalized", err.message);
      }
    }
    return { rows, refs, cursor: batch.cursor };
  },
});

const normalizers = new WeakMap<Config, { columns: readonly string[]; n: BlockNormalizer }>();

/** The block normalizer of a run (its config object), made for the first block's columns. */
function blockNormalizer(config: Config, block: CsvBlock): BlockNormalizer {
  const known = normalizers.get(config);
  if (known && known.columns === block.columns) return known.n;
  const keys = [...block.columns];
  const names = renameFields(keys, config.fieldNames);
  const columns = keys.map((key, i) => {
    const type = config.types[names[i]] ?? config.types[key] ?? "string";
    return { column: { name: names[i], type }, cell: cellFor(config, key, type) };
  });
  const n = new BlockNormalizer(columns, {
    trim: config.trim,
    nullTokens: config.nullTokens.map((t) => t.toLowerCase()),
  });
  normalizers.set(config, { columns: block.columns, n });
  return n;
}

function keysOf(sample: Row[]): string[] {
  const keys = new Set<string>();
  for (const row of sample) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}
