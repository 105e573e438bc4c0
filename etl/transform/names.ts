/**
 * Field-name styles for the normalize transform.
 * @module
 */

/** How normalize renames fields. */
export type NameStyle = "snake_case" | "lower" | "keep";

/**
 * A field name in snake_case: word breaks at case changes, spaces and punctuation.
 *
 * @example
 * ```ts
 * snakeCase("Date of Birth");      // "date_of_birth"
 * snakeCase("HEALTHCARE_EXPENSES"); // "healthcare_expenses"
 * snakeCase("patientID");          // "patient_id"
 * ```
 */
export function snakeCase(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (words === "") return "";
  return /^[0-9]/.test(words) ? `col_${words}` : words;
}

/** Rename a list of fields in a style, keeping names unique (`name`, `name_2`, ...). */
export function renameFields(names: string[], style: NameStyle): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    let name = style === "snake_case"
      ? snakeCase(raw)
      : style === "lower"
      ? raw.toLowerCase()
      : raw;
    if (name.trim() === "") name = `column_${i + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}
