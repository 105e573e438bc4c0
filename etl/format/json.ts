/**
 * JSON output: one array whose elements are the rows (or, for FHIR schemas, the resources
 * themselves). Written as it goes: `[` with the first rows, `,` between elements, `]` at the
 * end; an output without rows is `[]`.
 * @module
 */
import { z } from "zod";
import { defineFormat } from "../define.ts";
import type { Row } from "../types.ts";
import { rowWriter } from "./_json_rows.ts";
import { EMPTY, Utf8Buffer } from "./_values.ts";

/** Config of the JSON format: nothing to choose yet. */
export const JsonFormatConfig = z.object({});

/** The JSON array format. */
export const jsonFormat = defineFormat({
  type: "json",
  title: "JSON",
  description: "A JSON array with one element per row, or the FHIR resources themselves",
  config: JsonFormatConfig,
  secrets: [],
  extension: "json",
  contentType: "application/json",
  create(_config, schema) {
    const bytes = new Utf8Buffer();
    let write: ((row: Row) => string) | undefined;
    return {
      encode(rows) {
        if (rows.length === 0) return EMPTY;
        if (!write) {
          write = rowWriter(schema, rows);
          bytes.append("[\n" + write(rows[0]));
        } else {
          bytes.append(",\n" + write(rows[0]));
        }
        for (let i = 1; i < rows.length; i++) bytes.append(",\n" + write(rows[i]));
        return bytes.bytes();
      },
      end() {
        return bytes.encode(write ? "\n]" : "[]");
      },
    };
  },
});
