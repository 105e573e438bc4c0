/**
 * The fields of a form generated from a registry entry's zod config: what each property is
 * (text, number, choice, yes/no, secret, list, JSON), its label and help, and the way back from
 * posted `cfg.<name>` fields to a config object with proper types. The schema is read through
 * zod 4's JSON Schema export (input side, so defaults and optional fields show as such).
 * @module
 */
import { z } from "zod";

/** How a property is edited. */
export type FieldKind =
  | "text"
  | "textarea"
  | "integer"
  | "number"
  | "select"
  | "checkbox"
  | "password"
  | "list"
  | "json";

/** One generated field. */
export interface FormField {
  name: string;
  label: string;
  /** The schema's `.describe()` text. */
  help?: string;
  kind: FieldKind;
  required: boolean;
  default?: unknown;
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
}

/** What a form is generated from: a registry entry (or anything with a config and secrets). */
export interface SchemaEntry {
  config: z.ZodType;
  secrets: readonly string[];
}

type Json = Record<string, unknown>;

const LABELS: Record<string, string> = {
  host: "Server",
  user: "User name",
  tls: "Encryption (TLS)",
  ca: "CA certificate",
  connectTimeoutSeconds: "Connection timeout (seconds)",
  keyColumn: "Key column",
  cursorColumn: "Cursor column",
  binary: "Binary columns",
  url: "Address (URL)",
  baseUrl: "Server address (URL)",
  path: "File",
  delimiter: "Separator",
  encoding: "Text encoding",
  pointer: "Records at (JSON pointer)",
  unwrap: "Take this field of each record",
  recordsPointer: "Records at (JSON pointer)",
  auth: "Sign-in method",
  apiKeyName: "API key name",
  apiKey: "API key",
  headers: "Extra headers",
  query: "Query",
  timeoutSeconds: "Request timeout (seconds)",
  maxAttempts: "Tries per request",
  maxResponseMB: "Largest response (MB)",
  maxPages: "Stop after this many pages",
  accessKeyId: "Access key id",
  secretAccessKey: "Secret access key",
  key: "Object key",
  forcePathStyle: "Bucket in the path",
  serverSideEncryption: "Encryption at rest",
  kmsKeyId: "KMS key id",
  partSizeMB: "Part size (MB)",
  resourceType: "Resource type",
  includeIncluded: "Also read included resources",
};

const OPTION_LABELS: Record<string, string> = {
  auto: "Automatic",
  ",": "Comma ( , )",
  ";": "Semicolon ( ; )",
  "\t": "Tab",
  "|": "Pipe ( | )",
  "utf-8": "UTF-8",
  "windows-1252": "Windows-1252",
  off: "Off",
  require: "Required (any certificate)",
  verify: "Required, certificate checked",
  refuse: "Refuse them",
  base64: "Read them as base64 text",
  none: "None",
  bearer: "Bearer token",
  basic: "User name and password",
  apiKeyHeader: "API key in a header",
  apiKeyQuery: "API key in the address",
};

/** "connectTimeoutSeconds" → "Connect timeout seconds", unless a plainer label is known. */
export function labelFor(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The branch of a union that carries the type (optional and nullable wrap as anyOf). */
function main(prop: Json): Json {
  const any = (prop.anyOf ?? prop.oneOf) as Json[] | undefined;
  if (!any) return prop;
  const enums = any.flatMap((b) => Array.isArray(b.enum) ? b.enum : "const" in b ? [b.const] : []);
  if (enums.length > 0 && enums.length >= any.filter((b) => b.type !== "null").length) {
    return { ...prop, type: "string", enum: enums.filter((e) => e !== null) };
  }
  return { ...(any.find((b) => b.type !== "null") ?? {}), ...prop, anyOf: undefined };
}

function kindOf(prop: Json, secret: boolean): FieldKind {
  if (secret) return "password";
  if (Array.isArray(prop.enum)) return "select";
  switch (prop.type) {
    case "boolean":
      return "checkbox";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "array": {
      const items = (prop.items ?? {}) as Json;
      return ["string", "number", "integer"].includes(String(items.type)) ? "list" : "json";
    }
    case "object":
      return "json";
    case "string": {
      const long = Number(prop.maxLength ?? 0) >= 2000;
      return long || /PEM|SELECT/.test(String(prop.description ?? "")) ? "textarea" : "text";
    }
    default:
      return "json";
  }
}

const cache = new WeakMap<z.ZodType, FormField[]>();

/** The fields of `entry`'s config, in schema order. */
export function schemaFields(entry: SchemaEntry): FormField[] {
  const cached = cache.get(entry.config);
  if (cached) return cached;
  const schema = z.toJSONSchema(entry.config, { io: "input", unrepresentable: "any" }) as Json;
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const fields = Object.entries(props).map(([name, raw]): FormField => {
    const prop = main(raw);
    const kind = kindOf(prop, entry.secrets.includes(name));
    const field: FormField = {
      name,
      label: labelFor(name),
      help: typeof prop.description === "string" ? prop.description : undefined,
      kind,
      required: required.has(name),
      default: prop.default,
    };
    if (kind === "select") {
      field.options = (prop.enum as unknown[]).map((v) => ({
        value: String(v),
        label: OPTION_LABELS[String(v)] ?? String(v),
      }));
    }
    if (typeof prop.minimum === "number") field.min = prop.minimum;
    if (typeof prop.maximum === "number" && prop.maximum < Number.MAX_SAFE_INTEGER) {
      field.max = prop.maximum;
    }
    return field;
  });
  cache.set(entry.config, fields);
  return fields;
}

/** Problems sorted out: the first one of each field, and those that name no field of the form. */
export interface FieldProblems {
  byField: Record<string, string>;
  other: string[];
}

/**
 * Put each `path: message` problem beside the field it names. `source.port: …`, `config.port: …`
 * and `port: …` all name `port`; `headers.Accept: …` names `headers`. Problems of other fields
 * (and of the whole config) are returned in `other`.
 */
export function problemsByField(
  problems: readonly string[],
  fields: readonly string[],
  prefixes: readonly string[] = ["cfg", "config", "source", "repository"],
): FieldProblems {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const problem of problems) {
    const colon = problem.indexOf(": ");
    let path = colon > 0 ? problem.slice(0, colon) : "";
    const message = colon > 0 ? problem.slice(colon + 2) : problem;
    for (const p of prefixes) if (path.startsWith(`${p}.`)) path = path.slice(p.length + 1);
    const name = path.split(/[.[]/)[0];
    if (name && fields.includes(name)) {
      const sub = path.slice(name.length).replace(/^\./, "");
      byField[name] ??= sentence(sub ? `${sub}: ${message}` : message);
    } else other.push(problem);
  }
  return { byField, other };
}

/** Capitalised, with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
