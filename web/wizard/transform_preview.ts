/**
 * The live preview of a transformation over the sampled rows: the real transformer's
 * `prepare()` and `run()` decide, row by row, what is kept and why a row is rejected (the
 * reason names the FHIR element, e.g. `Patient.gender: cannot map value …`). A row rejected as
 * invalid also shows the resource it was mapped to, made by the same mapper the transformer
 * uses, so the user sees what was wrong with it.
 * @module
 */
import { connectionContext } from "../../etl/connections.ts";
import { userMessage } from "../../etl/errors.ts";
import { stepConfig, zodProblems } from "../../etl/spec.ts";
import { transformers } from "../../etl/transform/mod.ts";
import type { Row, RunContext, Schema, SourceRef, Stage } from "../../etl/types.ts";
import type { ImmunizationConfig, PatientConfig } from "../../fhir/config.ts";
import { createImmunizationMapper } from "../../fhir/immunization.ts";
import { createPatientMapper } from "../../fhir/patient.ts";

/** One previewed row. */
export interface PreviewItem {
  /** 1-based position among the previewed rows. */
  n: number;
  /** Where the row came from, e.g. "line 2". */
  where: string;
  /** The resource (FHIR) or output row (normalize), formatted; missing when none was made. */
  json?: string;
  /** Output row's values (normalize). */
  row?: Row;
  /** Why the row was rejected, and at which stage. */
  problem?: { stage: Stage; path?: string; message: string };
}

/** The preview of one transformation. */
export interface Preview {
  kind: string;
  /** Problems of the whole config (an unknown column): the run would refuse to start. */
  problems: string[];
  items: PreviewItem[];
  /** Output column names (normalize). */
  columns: string[];
  kept: number;
}

/**
 * A resource as formatted JSON for reading: the same content, with its extensions (long US Core
 * race / ethnicity blocks) moved after the elements people look for first.
 */
function formatted(resource: unknown): string {
  if (typeof resource !== "object" || resource === null || !("extension" in resource)) {
    return JSON.stringify(resource, null, 2);
  }
  const { extension, ...rest } = resource as Record<string, unknown>;
  return JSON.stringify({ ...rest, extension }, null, 2);
}

/** Where a source reference points, in words. */
export function whereOf(ref: SourceRef | undefined): string {
  if (!ref) return "";
  if (ref.line !== undefined) return `line ${ref.line}`;
  if (ref.key !== undefined) return `key ${ref.key}`;
  if (ref.index !== undefined) return `record ${ref.index + 1}`;
  return ref.source;
}

/** `Patient.gender: cannot map …` → its element path and message. */
function splitReason(reason: string): { path?: string; message: string } {
  const m = /^([A-Z][A-Za-z]+(?:\.[A-Za-z[\]0-9()]+)+): (.*)$/s.exec(reason);
  return m ? { path: m[1], message: m[2] } : { message: reason };
}

/** The resource a FHIR mapper makes of `row`, even when the validator would refuse it. */
function mappedResource(kind: string, config: unknown, row: Row): unknown {
  try {
    if (kind === "fhir-patient") {
      const c = config as PatientConfig;
      const out = createPatientMapper(c.resolved ?? {}, c)(row);
      return typeof out === "string" ? undefined : out.resource;
    }
    if (kind === "fhir-immunization") {
      const c = config as ImmunizationConfig;
      const out = createImmunizationMapper(c.resolved ?? {}, c)(row);
      return typeof out === "string" ? undefined : out.resource;
    }
  } catch {
    // A mapping the transformer could not compile: the reason is already shown.
  }
  return undefined;
}

/**
 * Run the transform `step` over the sample. `columns` are the source's column names.
 *
 * @example
 * ```ts
 * const p = previewTransform({ type: "fhir-patient", preset: "synthea" }, sample.columns, sample.rows, sample.refs);
 * p.items[0].json; // '{\n  "resourceType": "Patient", …'
 * ```
 */
export function previewTransform(
  step: Record<string, unknown>,
  columns: readonly string[],
  rows: readonly Row[],
  refs: readonly SourceRef[],
): Preview {
  const kind = String(step.type);
  const empty: Preview = { kind, problems: [], items: [], columns: [], kept: 0 };
  const entry = transformers.get(kind);
  if (!entry) return { ...empty, problems: [`There is no transformation "${kind}".`] };
  const parsed = entry.config.safeParse(stepConfig(step, "type"));
  if (!parsed.success) return { ...empty, problems: zodProblems(parsed.error) };
  const input: Schema = { columns: columns.map((name) => ({ name, type: "string" })) };
  let prepared;
  try {
    prepared = entry.prepare(parsed.data, input, [...rows]);
  } catch (err) {
    return { ...empty, problems: [userMessage(err)] };
  }
  const rejected = new Map<SourceRef, { stage: Stage; reason: string }>();
  const ctx: RunContext = {
    ...connectionContext(),
    reject: (ref, stage, reason) => rejected.set(ref, { stage, reason }),
  };
  // Fresh ref objects: the transformer reports rejections by reference identity.
  const ownRefs = refs.map((r) => ({ ...r }));
  let out;
  try {
    out = entry.run(ctx, prepared.config, { rows: [...rows], refs: ownRefs, cursor: {} });
  } catch (err) {
    return { ...empty, problems: [...prepared.problems, userMessage(err)] };
  }
  const kept = new Map(out.refs.map((ref, i) => [ref, out.rows[i]]));
  const resourceColumn = prepared.schema.resource;
  const items = ownRefs.map((ref, i): PreviewItem => {
    const base = { n: i + 1, where: whereOf(ref) };
    const row = kept.get(ref);
    if (row) {
      return resourceColumn ? { ...base, json: formatted(row[resourceColumn]) } : { ...base, row };
    }
    const why = rejected.get(ref) ?? { stage: "mapped" as Stage, reason: "The row was dropped." };
    const resource = why.stage === "valid"
      ? mappedResource(kind, prepared.config, rows[i])
      : undefined;
    return {
      ...base,
      ...(resource ? { json: formatted(resource) } : {}),
      problem: { stage: why.stage, ...splitReason(why.reason) },
    };
  });
  return {
    kind,
    problems: prepared.problems,
    items,
    columns: prepared.schema.columns.map((c) => c.name).filter((c) => c !== resourceColumn),
    kept: out.rows.length,
  };
}
