/**
 * Reading API responses as JSON: parsing with a readable error, and JSON pointers into them.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { parsePointer } from "./_json_scanner.ts";

/** The body parsed, or a ConfigError saying what came back instead. */
export function parseBody(text: string, shown: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const start = text.replace(/\s+/g, " ").trim().slice(0, 60);
    throw new ConfigError(
      `The response from ${shown} is not JSON (it starts with "${start}"); check the address`,
    );
  }
}

/** The value at a JSON pointer ("" is the document), or undefined when it leads nowhere. */
export function valueAt(doc: unknown, pointer: string): unknown {
  let value = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(token)) value = value[Number(token)];
    else if (isObject(value) && Object.hasOwn(value, token)) value = value[token];
    else return undefined;
  }
  return value;
}

/** "an object", "a string", "null": what a value is, for messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The records at `pointer`: a list, or empty for null; anything else is a ConfigError. */
export function recordsAt(body: unknown, pointer: string, shown: string, field: string): unknown[] {
  const value = valueAt(body, pointer);
  if (Array.isArray(value)) return value;
  if (value === null) return [];
  const fields = isObject(body)
    ? ` (its top-level fields: ${Object.keys(body).slice(0, 10).join(", ") || "none"})`
    : "";
  const where = pointer === "" ? "is" : `has ${describe(value)} at ${field} "${pointer}", so`;
  const what = pointer === "" ? `${describe(value)}, not a list of records` : "no list of records";
  throw new ConfigError(
    `The response from ${shown} ${where} ${what}${fields}; set ${field} to the JSON pointer of the list, e.g. "/data"`,
  );
}

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
