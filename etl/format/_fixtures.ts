/**
 * Rows that break naive writers, shared by the format tests: quotes, SQL injection, backslashes,
 * line breaks, NUL, emoji, exact decimals, a leap day, date-times with offsets, json, nulls.
 * @module
 */
import type { Encoder, Format, Row, Schema } from "../types.ts";

/** Every column type once. */
export const TRICKY_SCHEMA: Schema = {
  columns: [
    { name: "id", type: "integer" },
    { name: "name", type: "string" },
    { name: "amount", type: "decimal" },
    { name: "active", type: "boolean" },
    { name: "born", type: "date" },
    { name: "seen_at", type: "datetime" },
    { name: "extra", type: "json" },
  ],
};

/** Normalized rows (see the value representation in the house rules). */
export const TRICKY_ROWS: Row[] = [
  {
    id: 1,
    name: "O'Brien; DROP TABLE x",
    amount: "1176606.68",
    active: true,
    born: "1980-02-29",
    seen_at: "2024-03-01T10:00:00.123456+05:30",
    extra: { tags: ["a", "b"], note: 'say "hi"\n' },
  },
  {
    id: 2,
    name: "back\\slash \\' \\\\ end\\",
    amount: "-0.10",
    active: false,
    born: "2000-01-01",
    seen_at: "2024-11-03T01:30:00-04:00",
    extra: [1, 2.5, null],
  },
  {
    id: 3,
    name: "line1\nline2\r\nline3\ttab, comma",
    amount: "12345678901234567890.123456789",
    active: true,
    born: "1969-12-31",
    seen_at: "1999-12-31T23:59:59Z",
    extra: { path: "C:\\temp" },
  },
  {
    id: 4,
    name: "emoji 😀 ümlaut 中文",
    amount: "0",
    active: false,
    born: "2024-02-29",
    seen_at: "2024-06-15T12:00:00",
    extra: { emoji: "😀", nul: "a\0b" },
  },
  { id: 5, name: "nul\0byte", amount: "7", active: null, born: null, seen_at: null, extra: null },
  { id: 6, name: null, amount: null, active: null, born: null, seen_at: null, extra: null },
  { id: 7, name: "", amount: "-3.25", active: true, born: null, seen_at: null, extra: {} },
];

/** What reading back must give for `seen_at`: the instant in UTC, to the microsecond. */
export const SEEN_AT_UTC: (string | null)[] = [
  "2024-03-01T04:30:00.123456Z",
  "2024-11-03T05:30:00.000000Z",
  "1999-12-31T23:59:59.000000Z",
  "2024-06-15T12:00:00.000000Z",
  null,
  null,
  null,
];

/** A FHIR transformer's output: key columns plus the resource. */
export const FHIR_SCHEMA: Schema = {
  columns: [
    { name: "id", type: "string" },
    { name: "resource_type", type: "string" },
    { name: "family", type: "string" },
    { name: "resource", type: "json" },
  ],
  resource: "resource",
};

/** Two patients as a FHIR transformer emits them. */
export const FHIR_ROWS = [1, 2].map((n) => ({
  id: `p${n}`,
  resource_type: "Patient",
  family: n === 1 ? "O'Brien" : "Ünal",
  resource: {
    resourceType: "Patient",
    id: `p${n}`,
    name: [{ family: n === 1 ? "O'Brien" : "Ünal", given: ["A\nB"] }],
    birthDate: "1980-02-29",
  },
}));

/** Runs an encoder over rows in batches of `batch`, returns every byte it produced. */
export async function encodeAll(
  format: Format,
  rows: Row[],
  options: { config?: unknown; schema?: Schema; table?: string; batch?: number } = {},
): Promise<Uint8Array> {
  const config = format.config.parse(options.config ?? {});
  const encoder: Encoder = format.create(config, options.schema ?? TRICKY_SCHEMA, {
    table: options.table ?? "t",
  });
  const parts: Uint8Array[] = [];
  const size = options.batch ?? 3;
  for (let i = 0; i < rows.length; i += size) {
    // Copied: an encoder's bytes are only valid until its next call.
    parts.push((await encoder.encode(rows.slice(i, i + size))).slice());
  }
  parts.push((await encoder.end()).slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The bytes as UTF-8 text. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
