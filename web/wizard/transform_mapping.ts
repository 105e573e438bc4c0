/**
 * The FHIR mapping editor's data: a transform step's config → what each select shows (the
 * effective mapping, preset merged with the user's changes, as `fhir/resolve.ts` works it out),
 * and the posted form → a config again. A config keeps only what differs from its preset, so
 * an untouched Synthea mapping is saved as `{ type: "fhir-patient", preset: "synthea" }`.
 * @module
 */
import {
  type IdentifierMapping,
  ImmunizationConfig,
  PatientConfig,
  type Preset,
} from "../../fhir/config.ts";
import { DEFAULT_MRN_SYSTEM } from "../../fhir/presets.ts";
import { type Resolution, resolveImmunization, resolvePatient } from "../../fhir/resolve.ts";
import { stepConfig } from "../../etl/spec.ts";
import { field } from "../page.ts";
import { EDITORS, type FhirKind, LIST_ELEMENTS } from "./transform_elements.ts";

type Mapping = Record<string, unknown>;
type Form = Record<string, unknown>;

/** A FHIR transform config as the editor handles it (the fields the transformers parse). */
export interface FhirConfig {
  preset: Preset;
  mapping: Mapping;
  valueMaps: Record<string, Record<string, string>>;
  dayFirst: boolean;
  identifierSystem?: string;
  country?: string;
}

/** What the editor shows: the config, its effective mapping and the resolver's problems. */
export interface EditorState {
  config: FhirConfig;
  resolved: Mapping;
  problems: string[];
}

function resolve(
  kind: FhirKind,
  config: FhirConfig,
  columns: readonly string[],
): Resolution<Mapping> {
  return kind === "fhir-patient"
    ? resolvePatient(PatientConfig.parse(config), columns)
    : resolveImmunization(
      ImmunizationConfig.parse({ ...config, identifierSystem: undefined }),
      columns,
    );
}

/** Whether the Synthea preset fits these columns with nothing missing. */
function syntheaFits(kind: FhirKind, columns: readonly string[]): boolean {
  const config = emptyConfig("synthea");
  const { resolved, problems } = resolve(kind, config, columns);
  return problems.length === 0 &&
    (kind === "fhir-immunization" ||
      (resolved.family !== undefined && resolved.birthDate !== undefined));
}

function emptyConfig(preset: Preset): FhirConfig {
  return { preset, mapping: {}, valueMaps: {}, dayFirst: false };
}

/**
 * The config of a stored transform step of `kind`, or a new one: the Synthea preset when the
 * columns are Synthea's, otherwise the generic one suggested from column names.
 */
export function fhirConfigOf(
  kind: FhirKind,
  step: Record<string, unknown> | undefined,
  columns: readonly string[],
): FhirConfig {
  if (step?.type === kind) {
    const parsed = (kind === "fhir-patient" ? PatientConfig : ImmunizationConfig)
      .safeParse(stepConfig(step, "type"));
    if (parsed.success) {
      const c = parsed.data as FhirConfig;
      return {
        preset: c.preset,
        mapping: c.mapping ?? {},
        valueMaps: c.valueMaps ?? {},
        dayFirst: c.dayFirst ?? false,
        ...(c.identifierSystem ? { identifierSystem: c.identifierSystem } : {}),
        ...(c.country ? { country: c.country } : {}),
      };
    }
  }
  return emptyConfig(syntheaFits(kind, columns) ? "synthea" : "generic");
}

/** The editor's state for `config` against the source's columns. */
export function editorState(
  kind: FhirKind,
  config: FhirConfig,
  columns: readonly string[],
): EditorState {
  const { resolved, problems } = resolve(kind, config, columns);
  return { config, resolved, problems };
}

/** The transform step to save for `config`: only what differs from the preset is kept. */
export function fhirStep(kind: FhirKind, config: FhirConfig): Record<string, unknown> {
  const vm = Object.fromEntries(
    Object.entries(config.valueMaps).filter(([, m]) => Object.keys(m).length > 0),
  );
  return {
    type: kind,
    preset: config.preset,
    ...(Object.keys(config.mapping).length > 0 ? { mapping: config.mapping } : {}),
    ...(Object.keys(vm).length > 0 ? { valueMaps: vm } : {}),
    ...(config.dayFirst ? { dayFirst: true } : {}),
    ...(config.identifierSystem ? { identifierSystem: config.identifierSystem } : {}),
    ...(config.country ? { country: config.country } : {}),
  };
}

/** Form field names of the editor (one place, so page and parser agree). */
export const names = {
  preset: (p: string) => `${p}.preset`,
  dayFirst: (p: string) => `${p}.dayFirst`,
  element: (p: string, key: string, index?: number) =>
    index === undefined ? `${p}.m.${key}` : `${p}.m.${key}.${index}`,
  identifier: (p: string, i: number, part: "column" | "system" | "type") => `${p}.id.${i}.${part}`,
  mapFrom: (p: string, map: string, i: number) => `${p}.vm.${map}.${i}.from`,
  mapTo: (p: string, map: string, i: number) => `${p}.vm.${map}.${i}.to`,
};

/** Largest index used by form fields matching `pattern` (its first group), or -1. */
function lastIndex(form: Form, pattern: RegExp): number {
  let last = -1;
  for (const key of Object.keys(form)) {
    const m = pattern.exec(key);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return Math.min(last, 200);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A posted form → config, with a sentence per field that is wrong (keyed by field name). */
export function parseFhirForm(
  kind: FhirKind,
  form: Form,
  columns: readonly string[],
  stored: FhirConfig,
): { config: FhirConfig; errors: Record<string, string> } {
  const editor = EDITORS[kind];
  const p = editor.prefix;
  const errors: Record<string, string> = {};
  const picked = field(form, names.preset(p));
  const preset: Preset = picked === "generic" || picked === "synthea" ? picked : stored.preset;
  const base: FhirConfig = { ...stored, preset, mapping: {}, valueMaps: {} };
  const presetMapping = resolve(kind, base, columns).resolved;
  const mapping: Mapping = {};
  const columnOf = (name: string) => field(form, name) || null;

  const keys = new Set(editor.groups.flatMap((g) => g.fields.map((f) => f.key)));
  for (const key of keys) {
    let chosen: unknown;
    if (LIST_ELEMENTS.has(key)) {
      const list = [0, 1].map((i) => columnOf(names.element(p, key, i))).filter((c) => c !== null);
      chosen = list.length > 0 ? list : null;
    } else chosen = columnOf(names.element(p, key));
    const fromPreset = presetMapping[key] ?? null;
    const asList = LIST_ELEMENTS.has(key) && typeof fromPreset === "string"
      ? [fromPreset]
      : fromPreset;
    if (JSON.stringify(chosen) !== JSON.stringify(asList)) {
      mapping[key] = chosen;
    }
  }

  if (editor.identifiers) {
    const ids: IdentifierMapping[] = [];
    const last = lastIndex(form, new RegExp(`^${escape(p)}\\.id\\.(\\d+)\\.column$`));
    for (let i = 0; i <= last; i++) {
      const column = field(form, names.identifier(p, i, "column"));
      if (!column) continue;
      const system = field(form, names.identifier(p, i, "system")) || DEFAULT_MRN_SYSTEM;
      const type = field(form, names.identifier(p, i, "type"));
      ids.push({ column, system, ...(type ? { type } : {}) });
    }
    const chosen = ids.length > 0 ? ids : null;
    const fromPreset = (presetMapping.identifier as IdentifierMapping[] | undefined) ?? null;
    if (JSON.stringify(chosen) !== JSON.stringify(fromPreset)) mapping.identifier = chosen;
  }

  const valueMaps: Record<string, Record<string, string>> = {};
  for (const map of editor.maps) {
    const entries: Record<string, string> = {};
    const last = lastIndex(form, new RegExp(`^${escape(p)}\\.vm\\.${map.name}\\.(\\d+)\\.from$`));
    for (let i = 0; i <= last; i++) {
      const from = field(form, names.mapFrom(p, map.name, i));
      const to = field(form, names.mapTo(p, map.name, i));
      if (!from) continue;
      if (!to) {
        errors[names.mapTo(p, map.name, i)] =
          `Choose what "${from}" becomes, or empty the value to drop this row.`;
      } else if (map.targets && !Object.hasOwn(map.targets, to)) {
        errors[names.mapTo(p, map.name, i)] = `"${to}" is not one of the codes listed.`;
      } else entries[from] = to;
    }
    if (Object.keys(entries).length > 0) valueMaps[map.name] = entries;
  }
  const dayFirst = field(form, names.dayFirst(p)) !== "";
  return { config: { ...base, mapping, valueMaps, dayFirst }, errors };
}

/**
 * The resolver's problems by form field (`mapping.gender: unknown column "SEX"` goes beside the
 * gender select); problems no field owns are listed under `""`.
 */
export function problemsByField(
  kind: FhirKind,
  problems: readonly string[],
): Record<string, string> {
  const p = EDITORS[kind].prefix;
  const out: Record<string, string> = {};
  for (const problem of problems) {
    const m = /^mapping\.([A-Za-z]+)(?:\[(\d+)\])?[^:]*: (.*)$/.exec(problem);
    const key = m &&
      (m[1] === "identifier"
        ? names.identifier(p, Number(m[2] ?? 0), "column")
        : names.element(p, m[1], LIST_ELEMENTS.has(m[1]) ? Number(m[2] ?? 0) : undefined));
    if (key && m) out[key] = sentence(m[3]);
    else out[""] = [out[""], sentence(problem)].filter(Boolean).join(" ");
  }
  return out;
}

/** A resolver message as a sentence: capital first letter, full stop. */
function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
