/**
 * The sources a pipeline can read. Add one: a new file and one line in `EXTRACTORS`.
 * @module
 */
import { createRegistry } from "../registry.ts";
import type { Extractor } from "../types.ts";
import { csvExtractor } from "./csv.ts";
import { fhirServerExtractor } from "./fhir_server.ts";
import { jsonExtractor } from "./json.ts";
import { mysqlExtractor } from "./mysql.ts";
import { postgresExtractor } from "./postgres.ts";
import { restExtractor } from "./rest.ts";

/** Every source, in the order the dashboard offers them. */
export const EXTRACTORS: readonly Extractor[] = [
  csvExtractor,
  jsonExtractor,
  mysqlExtractor,
  postgresExtractor,
  restExtractor,
  fhirServerExtractor,
];

/** Sources by `type`. */
export const extractors = createRegistry("extractor", EXTRACTORS);
