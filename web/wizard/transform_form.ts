/**
 * The transformation step's state: which transformation, its settings (normalize options, the
 * FHIR mappings), and the output format with its options — read from the draft, read back from
 * the posted form, and turned into the draft's `spec.transforms` and `spec.output`.
 * @module
 */
import { configFromForm } from "../../components/SchemaForm.tsx";
import { formats } from "../../etl/format/mod.ts";
import { stepConfig, zodProblems } from "../../etl/spec.ts";
import { COLUMN_TYPES, type ColumnType } from "../../etl/types.ts";
import { field } from "../page.ts";
import type { Draft } from "./draft.ts";
import type { FhirKind } from "./transform_elements.ts";
import {
  editorState,
  type FhirConfig,
  fhirConfigOf,
  fhirStep,
  parseFhirForm,
} from "./transform_mapping.ts";

/** The transformations offered, in the order of the cards. */
export const TRANSFORM_KINDS = ["fhir-patient", "fhir-immunization", "normalize", "none"] as const;
/** One of {@link TRANSFORM_KINDS}. */
export type TransformKind = typeof TRANSFORM_KINDS[number];

/** Options of the normalize transformation the step edits. */
export interface NormalizeOptions {
  fieldNames: "snake_case" | "lower" | "keep";
  trim: boolean;
  /** Values that mean "no value", besides an empty cell. */
  nullTokens: string[];
  dateOrder: "mdy" | "dmy";
}

/** Everything the step's form shows. */
export interface TransformState {
  kind: TransformKind;
  normalize: NormalizeOptions;
  fhir: Record<FhirKind, FhirConfig>;
  format: string;
  /** Each format's options as shown (the chosen one's as typed). */
  formatValues: Record<string, Record<string, unknown>>;
  /** Problems of the chosen format's options (`name: sentence`). */
  formatProblems: string[];
  /** Sentences by form field name. */
  errors: Record<string, string>;
  /** Empty rows offered under each value map. */
  blankRows: number;
}

const FHIR_KINDS: FhirKind[] = ["fhir-patient", "fhir-immunization"];
const isKind = (v: unknown): v is TransformKind => TRANSFORM_KINDS.includes(v as TransformKind);

/** The format a transformation's output usually goes in: FHIR as NDJSON, rows as CSV. */
export const defaultFormat = (kind: TransformKind) => kind.startsWith("fhir-") ? "ndjson" : "csv";

const DEFAULT_NORMALIZE: NormalizeOptions = {
  fieldNames: "snake_case",
  trim: true,
  nullTokens: ["NULL", "N/A"],
  dateOrder: "mdy",
};

/** The column types chosen on step 1, as normalize's per-column `types`. */
export function typesOf(draft: Draft): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const [column, type] of Object.entries(draft.typeOverrides ?? {})) {
    if ((COLUMN_TYPES as readonly string[]).includes(type)) out[column] = type as ColumnType;
  }
  return out;
}

/**
 * The first choice for a new draft: the FHIR resource whose mapping fits the columns with
 * nothing missing (patients first), else cleaning up the rows.
 */
function suggestedKind(
  fhir: Record<FhirKind, FhirConfig>,
  columns: readonly string[],
): TransformKind {
  for (const k of FHIR_KINDS) {
    if (editorState(k, fhir[k], columns).problems.length === 0) return k;
  }
  return "normalize";
}

/** The step's state from the draft (or sensible choices when the step was never done). */
export function stateFromDraft(draft: Draft, columns: readonly string[]): TransformState {
  const first = draft.spec.transforms[0];
  const done = draft.reached !== "source" && draft.reached !== "transform";
  const fhir = Object.fromEntries(
    FHIR_KINDS.map((k) => [k, fhirConfigOf(k, first, columns)]),
  ) as Record<FhirKind, FhirConfig>;
  const kind: TransformKind = isKind(first?.type)
    ? first.type
    : done || draft.spec.output
    ? "none"
    : suggestedKind(fhir, columns);
  const normalize = { ...DEFAULT_NORMALIZE };
  if (first?.type === "normalize") {
    const c = stepConfig(first, "type");
    if (["snake_case", "lower", "keep"].includes(c.fieldNames as string)) {
      normalize.fieldNames = c.fieldNames as NormalizeOptions["fieldNames"];
    }
    if (typeof c.trim === "boolean") normalize.trim = c.trim;
    if (Array.isArray(c.nullTokens)) normalize.nullTokens = c.nullTokens.filter((t) => t !== "");
    if (c.dateOrder === "dmy") normalize.dateOrder = "dmy";
  }
  const output = draft.spec.output;
  const format = typeof output?.format === "string" && formats.get(output.format)
    ? output.format
    : defaultFormat(kind);
  return {
    kind,
    normalize,
    fhir,
    format,
    formatValues: output ? { [format]: stepConfig(output, "format") } : {},
    formatProblems: [],
    errors: {},
    blankRows: 2,
  };
}

/** The posted form read back into a state, with a sentence beside each wrong field. */
export function stateFromForm(
  form: Record<string, unknown>,
  columns: readonly string[],
  previous: TransformState,
): TransformState {
  const kind = isKind(field(form, "kind")) ? field(form, "kind") as TransformKind : previous.kind;
  const errors: Record<string, string> = {};
  const tokens = field(form, "norm.nullTokens").split(",").map((t) => t.trim()).filter(Boolean);
  const names = field(form, "norm.fieldNames");
  const normalize: NormalizeOptions = {
    fieldNames: names === "lower" || names === "keep" ? names : "snake_case",
    trim: field(form, "norm.trim") !== "",
    nullTokens: tokens,
    dateOrder: field(form, "norm.dateOrder") === "dmy" ? "dmy" : "mdy",
  };
  const fhir = { ...previous.fhir };
  for (const k of FHIR_KINDS) {
    const parsed = parseFhirForm(k, form, columns, previous.fhir[k]);
    fhir[k] = parsed.config;
    if (k === kind) Object.assign(errors, parsed.errors);
  }
  const chosen = field(form, "format");
  const entry = formats.get(chosen);
  const format = entry ? chosen : previous.format;
  let formatProblems: string[] = [];
  const formatValues = { ...previous.formatValues };
  if (!entry) errors.format = "Choose the format of the output file.";
  else {
    const read = configFromForm(entry, form as never, { prefix: `fmt.${format}.` });
    formatValues[format] = read.echo;
    const checked = entry.config.safeParse(read.config);
    formatProblems = [...read.problems, ...(checked.success ? [] : zodProblems(checked.error))];
  }
  const blank = Number(field(form, "blankRows"));
  const blankRows = Number.isInteger(blank) && blank >= 0 && blank <= 50 ? blank : 2;
  return { kind, normalize, fhir, format, formatValues, formatProblems, errors, blankRows };
}

/** Whether the state can be saved (no field is wrong). */
export function isValid(state: TransformState): boolean {
  return Object.keys(state.errors).length === 0 && state.formatProblems.length === 0;
}

/** The transform step the state describes, or undefined for "none". */
export function transformOf(
  state: TransformState,
  draft: Draft,
): Record<string, unknown> | undefined {
  if (state.kind === "none") return undefined;
  if (state.kind === "normalize") {
    const n = state.normalize;
    const types = typesOf(draft);
    return {
      type: "normalize",
      fieldNames: n.fieldNames,
      trim: n.trim,
      // An empty cell always means "no value" here; the user lists the other spellings.
      nullTokens: ["", ...n.nullTokens],
      dateOrder: n.dateOrder,
      ...(Object.keys(types).length > 0 ? { types } : {}),
    };
  }
  return fhirStep(state.kind, state.fhir[state.kind]);
}

/** The `spec.output` the state describes. */
export function outputOf(state: TransformState): Record<string, unknown> {
  const entry = formats.get(state.format);
  const parsed = entry?.config.safeParse(state.formatValues[state.format] ?? {});
  // Only what differs from the defaults is kept, so the saved spec stays short.
  const defaults = entry?.config.safeParse({});
  const options: Record<string, unknown> = {};
  if (parsed?.success) {
    for (const [k, v] of Object.entries(parsed.data as Record<string, unknown>)) {
      const d = defaults?.success ? (defaults.data as Record<string, unknown>)[k] : undefined;
      if (JSON.stringify(v) !== JSON.stringify(d)) options[k] = v;
    }
  }
  return { format: state.format, ...options };
}
