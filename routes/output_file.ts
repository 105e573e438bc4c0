/**
 * A run's output file, for download: only a succeeded run of the file repository, only inside
 * the tenant's own output folder, and only while the file is still the one the run wrote (same
 * size as in its manifest; a later run writing the same path replaces it).
 * @module
 */
import { basename } from "node:path";
import { resolveInside } from "../etl/paths.ts";
import type { EngineDeps } from "../runs/engine.ts";
import { tenantRoot } from "../runs/plan_secrets.ts";
import { runKeys, type RunRecord, type StoredPlan } from "../runs/run_record.ts";
import { ApiError } from "./http.ts";

const TYPES: Record<string, string> = {
  ndjson: "application/x-ndjson",
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  sql: "application/sql",
  parquet: "application/vnd.apache.parquet",
};

/** What the download route sends. */
export interface OutputFile {
  name: string;
  size: number;
  contentType: string;
  stream: ReadableStream<Uint8Array>;
}

/** Open `run`'s output file, or throw an ApiError saying why it cannot be downloaded. */
export async function outputFile(deps: EngineDeps, run: RunRecord): Promise<OutputFile> {
  if (run.status !== "succeeded" || !run.output) {
    throw new ApiError(
      409,
      `The run is ${run.status}; only a succeeded run has a file to download.`,
    );
  }
  const stored = (await deps.kv.get<StoredPlan>(runKeys.prepared(run.tenant, run.id))).value;
  const spec = stored?.spec as { repository?: { type?: string }; output?: { format?: string } };
  if (spec?.repository?.type !== "file") {
    throw new ApiError(
      409,
      `This run wrote to ${run.output.location}, not to a file; open it where it was written.`,
    );
  }
  const root = tenantRoot(deps.outputRoot, run.tenant, deps.tenantFiles);
  const path = resolveInside(root, run.output.location, "output file");
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    throw new ApiError(409, `The output file ${run.output.location} is no longer there.`);
  }
  const size = (await file.stat()).size;
  if (size !== run.output.bytes) {
    file.close();
    throw new ApiError(
      409,
      `The output file ${run.output.location} was replaced by a later run; download it from that run.`,
    );
  }
  const format = spec.output?.format ?? "";
  return {
    name: basename(path).replace(/["\\\r\n]/g, "_"),
    size,
    contentType: TYPES[format] ?? "application/octet-stream",
    stream: file.readable,
  };
}
