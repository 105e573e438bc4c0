/**
 * JSON output: one array whose elements are the rows (or, for FHIR schemas, the resources
 * themselves). Written as it goes: `[` with the first rows, `,` between elements, `]` at the
 * end; an output without rows is `[]`.
 * @module
 */
import { z } from "zod";
import { defineFormat } from "../define.ts";
import type { Column, Row } from "../types.ts";
import { rowWriter } from "./_json_rows.ts";
import { resumedColumns, textState } from "./_resume.ts";
import { columnsOf, EMPTY } from "./_values.ts";
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
  create(_config, schema, { resume }) {
    const out = new JsonBuffer();
    let columns: Column[] | undefined = resumedColumns("json", schema, resume);
    // Resumed after `[`: the next element is preceded by a comma.
    let write: ((row: Row, out: JsonBuffer) => void) | undefined = columns &&
      rowWriter({ ...schema, columns }, []);
    return {
      encode(rows) {
        if (rows.length === 0) return EMPTY;
        out.begin();
        if (!write) {
          columns = columnsOf(schema, rows);
          write = rowWriter({ ...schema, columns }, []);
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
      state: () => textState("json", schema, columns),
    };
  },
});
