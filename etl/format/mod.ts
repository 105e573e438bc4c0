/**
 * The output formats, in the order the dashboard lists them.
 * @module
 */
import { createRegistry } from "../registry.ts";
import { csvFormat } from "./csv.ts";
import { jsonFormat } from "./json.ts";
import { ndjsonFormat } from "./ndjson.ts";
import { parquetFormat } from "./parquet.ts";
import { sqlFormat } from "./sql.ts";

/** Every output format. */
export const FORMATS = [csvFormat, sqlFormat, jsonFormat, ndjsonFormat, parquetFormat];

/** Output formats by type id. */
export const formats = createRegistry("format", FORMATS);
