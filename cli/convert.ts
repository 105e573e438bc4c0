/**
 * `etl convert`: build a one-off pipeline spec from a file and a few options.
 * @module
 */
import { basename, dirname, extname, resolve } from "node:path";
import { ConfigError } from "../etl/errors.ts";

/** What `convert` is asked for. */
export interface ConvertRequest {
  input: string;
  to: string;
  preset?: string;
  format: string;
  out: string;
}

const SOURCES: Record<string, string> = {
  ".csv": "csv",
  ".tsv": "csv",
  ".txt": "csv",
  ".json": "json",
  ".ndjson": "json",
  ".jsonl": "json",
};

const TARGETS = ["normalized", "fhir-patient", "fhir-immunization"];

/**
 * The spec and roots for a conversion: the input is read from its own folder and the output is
 * written into the folder of `--out`.
 */
export function convertSpec(req: ConvertRequest): {
  spec: Record<string, unknown>;
  inputRoot: string;
  outputRoot: string;
} {
  const source = SOURCES[extname(req.input).toLowerCase()];
  if (!source) {
    throw new ConfigError(
      `Cannot tell the type of "${req.input}" from its extension; use .csv, .tsv, .json or .ndjson`,
    );
  }
  if (!TARGETS.includes(req.to)) {
    throw new ConfigError(`--to must be one of ${TARGETS.join(", ")}, not "${req.to}"`);
  }
  const transforms = req.to === "normalized"
    ? [{ type: "normalize" }]
    : [{ type: req.to, preset: req.preset ?? "generic" }];
  const input = resolve(req.input);
  const out = resolve(req.out);
  return {
    spec: {
      version: 1,
      name: basename(out, extname(out)),
      source: { type: source, path: basename(input) },
      transforms,
      output: { format: req.format },
      repository: { type: "file", path: basename(out) },
    },
    inputRoot: dirname(input),
    outputRoot: dirname(out),
  };
}
