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
import { EMPTY } from "./_values.ts";
import { JsonBuffer } from "./json_bytes.ts";

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
    const out = new JsonBuffer();
    let write: ((row: Row, out: JsonBuffer) => void) | undefined;
    return {
      encode(rows) {
        if (rows.length === 0) return EMPTY;
        out.begin();
        if (!write) {
          write = rowWriter(schema, rows);
          out.text("[\n");
        } else {
          out.text(",\n");
        }
        write(rows[0], out);
        for (let i = 1; i < rows.length; i++) {
          out.text(",\n");
          write(rows[i], out);
        }
        return out.bytes();
      },
      end() {
        out.text(write ? "\n]" : "[]");
        return out.bytes();
      },
    };
  },
});
