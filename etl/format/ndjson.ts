/**
 * NDJSON output (newline-delimited JSON): one JSON object per row, or per FHIR resource (the
 * bulk-data `$export` layout), each line ending in `\n`.
 * @module
 */
import { z } from "zod";
import { defineFormat } from "../define.ts";
import type { Column, Row } from "../types.ts";
import { rowWriter } from "./_json_rows.ts";
import { resumedColumns, textState } from "./_resume.ts";
import { columnsOf, EMPTY } from "./_values.ts";
import { JsonBuffer } from "./json_bytes.ts";

/** Config of the NDJSON format: nothing to choose yet. */
export const NdjsonFormatConfig = z.object({});

/** The NDJSON format. */
export const ndjsonFormat = defineFormat({
  type: "ndjson",
  title: "NDJSON",
  description: "One JSON object per line; FHIR resources as in a bulk-data export",
  config: NdjsonFormatConfig,
  secrets: [],
  extension: "ndjson",
  contentType: "application/x-ndjson",
  create(_config, schema, { resume }) {
    const out = new JsonBuffer();
    // Columns taken from an earlier step's first rows, so every line keeps the same keys.
    let columns: Column[] | undefined = resumedColumns("ndjson", schema, resume);
    let write: ((row: Row, out: JsonBuffer) => void) | undefined = columns &&
      rowWriter({ ...schema, columns }, []);
    return {
      encode(rows) {
        if (rows.length === 0) return EMPTY;
        if (!write) {
          columns = columnsOf(schema, rows);
          write = rowWriter({ ...schema, columns }, []);
        }
        out.begin();
        for (let i = 0; i < rows.length; i++) {
          write(rows[i], out);
          out.byte(10);
        }
        return out.bytes();
      },
      end: () => EMPTY,
      state: () => textState("ndjson", schema, columns),
    };
  },
});
