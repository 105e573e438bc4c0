/**
 * Row objects with a fixed set of keys, built by a generated function: every row is an object
 * literal of the same shape, several times faster than keyed stores in a loop (CSV rows 130k →
 * 355k rows/s; normalize 49k → 161k rows/s).
 * @module
 */
import type { Row } from "./types.ts";

/**
 * A function that builds a row with `names` as keys, the i-th value being `value(input, i)`.
 *
 * @example
 * ```ts
 * const toRow = rowBuilder(["id", "name"], (fields: string[], i) => fields[i]);
 * toRow(["1", "Ann"]); // { id: "1", name: "Ann" }
 * ```
 */
export function rowBuilder<I>(
  names: readonly string[],
  value: (input: I, i: number) => unknown,
): (input: I) => Row {
  if (names.includes("__proto__")) {
    // In a literal "__proto__" would set the prototype instead of a field: take the safe path.
    return (input) => {
      const row: Row = {};
      names.forEach((name, i) =>
        Object.defineProperty(row, name, {
          value: value(input, i),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      );
      return row;
    };
  }
  const body = names.map((name, i) => `${JSON.stringify(name)}: v(x, ${i})`).join(", ");
  return new Function("v", `return (x) => ({ ${body} });`)(value);
}

/**
 * A function that builds a row with `names` as keys from the fields `keys` of an input row,
 * the i-th through `cells[i]`. Each field is read at its own site by its literal name, so V8's
 * property caches stay monomorphic (a keyed read `row[keys[i]]` sees every key at one site:
 * Synthea patients through normalize to Parquet went 169k → 182k rows/s).
 *
 * @example
 * ```ts
 * const toRow = rowMapper(["first_name"], ["FIRST"], [(v) => String(v).trim()]);
 * toRow({ FIRST: " Ann " }); // { first_name: "Ann" }
 * ```
 */
export function rowMapper(
  names: readonly string[],
  keys: readonly string[],
  cells: readonly ((value: unknown) => unknown)[],
): (input: Row) => Row {
  if (names.includes("__proto__")) {
    return rowBuilder(names, (row: Row, i) => cells[i](ownField(row, keys[i])));
  }
  const body = names.map((name, i) => {
    const key = JSON.stringify(keys[i]);
    // A name Object.prototype has (constructor, __proto__, …) is read only when the row owns it.
    const read = keys[i] in Object.prototype
      ? `(h(x, ${key}) ? x[${key}] : undefined)`
      : `x[${key}]`;
    return `${JSON.stringify(name)}: c[${i}](${read})`;
  }).join(", ");
  return new Function("c", "h", `return (x) => ({ ${body} });`)(cells, Object.hasOwn);
}

function ownField(row: Row, key: string): unknown {
  return Object.hasOwn(row, key) ? row[key] : undefined;
}
