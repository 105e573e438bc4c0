/**
 * A saved pipeline's spec in plain words for the pipeline page: for the source, each transform,
 * the output format and the repository, the registry entry's title and its settings. Secret
 * fields are masked first (pipelines/mask.ts), so nothing here can show one.
 * @module
 */
import { extractors } from "../etl/extract/mod.ts";
import { formats } from "../etl/format/mod.ts";
import { loaders } from "../etl/load/mod.ts";
import { transformers } from "../etl/transform/mod.ts";
import { maskSpec } from "../pipelines/mask.ts";

/** One part of the pipeline as the page shows it. */
export interface SpecPart {
  /** What this part is for, in words: "Where the data comes from". */
  role: string;
  /** The entry's title ("CSV file"), or its type when the registry does not know it. */
  title: string;
  /** Its settings as label and value, in the spec's order. */
  settings: [string, string][];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** "batchSize" → "Batch size", "host_name" → "Host name". */
export function labelOf(key: string): string {
  const words = key.replace(/[_-]+/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A setting's value in words: lists joined, objects counted (a mapping is long). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) {
    return value.every((v) => typeof v !== "object" || v === null)
      ? value.join(", ")
      : `${value.length} items`;
  }
  if (isObj(value)) {
    const keys = Object.keys(value);
    return keys.length <= 3 && keys.every((k) => !isObj(value[k]) && !Array.isArray(value[k]))
      ? keys.map((k) => `${k}: ${valueText(value[k])}`).join("; ")
      : `custom (${keys.length} ${keys.length === 1 ? "setting" : "settings"})`;
  }
  return String(value);
}

function part(role: string, step: unknown, key: string, title: (t: string) => string | undefined) {
  const s = isObj(step) ? step : {};
  const type = String(s[key] ?? "unknown");
  const settings = Object.entries(s).filter(([k]) => k !== key)
    .map(([k, v]): [string, string] => [labelOf(k), valueText(v)]);
  return { role, title: title(type) ?? type, settings };
}

/** The parts of `spec` (as stored; masked here) in pipeline order. */
export function specSummary(spec: unknown): SpecPart[] {
  const masked = maskSpec(spec);
  const s = isObj(masked) ? masked : {};
  const parts: SpecPart[] = [
    part("Where the data comes from", s.source, "type", (t) => extractors.get(t)?.title),
  ];
  const transforms = Array.isArray(s.transforms) ? s.transforms : [];
  if (transforms.length === 0) {
    parts.push({
      role: "What happens to each row",
      title: "Nothing: rows are kept as read",
      settings: [],
    });
  }
  transforms.forEach((t, i) => {
    const role = transforms.length > 1
      ? `What happens to each row (${i + 1})`
      : "What happens to each row";
    parts.push(part(role, t, "type", (type) => transformers.get(type)?.title));
  });
  if (s.output !== undefined) {
    parts.push(part("Output format", s.output, "format", (f) => formats.get(f)?.title));
  }
  parts.push(part("Where it is saved", s.repository, "type", (t) => loaders.get(t)?.title));
  if (isObj(s.options) && Object.keys(s.options).length > 0) {
    parts.push({
      role: "Run options",
      title: "Settings",
      settings: Object.entries(s.options).map(([k, v]) => [labelOf(k), valueText(v)]),
    });
  }
  return parts;
}
