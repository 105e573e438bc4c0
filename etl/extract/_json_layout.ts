/**
 * Deciding how a JSON file holds its records, from its first bytes: an array, an array at a
 * pointer, one object per line (NDJSON), or one object that is the only record.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { bomLength, openInput, readHead, sniffEncoding, type TextEncoding } from "./_text_file.ts";

const HEAD = 1 << 20;

/** What the user asked for; `auto` values are decided from the file. */
export interface JsonLayoutOptions {
  layout: "auto" | "array" | "pointer" | "ndjson";
  pointer?: string;
  encoding: "auto" | TextEncoding;
}

/** How a file holds its records and where they start. */
export interface JsonLayout {
  kind: "array" | "pointer" | "ndjson" | "object";
  /** The records' array ("" at the top level); `null` for NDJSON and a lone object. */
  pointer: string | null;
  encoding: TextEncoding;
  /** Byte offset after the BOM. */
  dataOffset: number;
}

/**
 * Decide the layout. In `auto`: a pointer given means the array at that pointer; a file
 * starting with `[` is an array; one starting with `{` is NDJSON when its first line is a whole
 * object and more lines follow, otherwise its one object is the only record. A blank file is
 * NDJSON with no records, so an empty export reads as zero rows.
 */
export async function detectJsonLayout(
  fullPath: string,
  label: string,
  options: JsonLayoutOptions,
): Promise<JsonLayout> {
  const file = await openInput(fullPath, label);
  let head: Uint8Array;
  try {
    head = await readHead(file, HEAD);
  } finally {
    file.close();
  }
  const full = head.length < HEAD;
  const dataOffset = bomLength(head);
  const encoding = options.encoding === "auto" ? sniffEncoding(head, full) : options.encoding;
  const base = { encoding, dataOffset };
  if (options.layout === "ndjson") return { ...base, kind: "ndjson", pointer: null };
  if (options.layout === "array") return { ...base, kind: "array", pointer: "" };
  if (options.pointer !== undefined) return { ...base, kind: "pointer", pointer: options.pointer };
  if (options.layout === "pointer") {
    throw new ConfigError(`Cannot read "${label}": layout "pointer" needs a "pointer"`);
  }
  const text = new TextDecoder(encoding).decode(head.subarray(dataOffset));
  const first = text.search(/\S/);
  if (first === -1) return { ...base, kind: "ndjson", pointer: null };
  const c = text[first];
  if (c === "[") return { ...base, kind: "array", pointer: "" };
  if (c !== "{") {
    throw new ConfigError(
      `Cannot read "${label}": it starts with ${
        JSON.stringify(c)
      }, not "[" or "{", so it is not JSON`,
    );
  }
  // A first line longer than the head is taken as one object; set layout "ndjson" if it is not.
  const nl = text.indexOf("\n", first);
  const ndjson = nl !== -1 && (!full || /\S/.test(text.slice(nl))) &&
    isObjectText(text.slice(first, nl));
  return { ...base, kind: ndjson ? "ndjson" : "object", pointer: null };
}

function isObjectText(line: string): boolean {
  try {
    const value = JSON.parse(line);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}
