/**
 * `etl list`: every registry entry with its config fields, as the dashboard will show them.
 * @module
 */
import { z } from "zod";

/** One config field of an entry. */
export interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  secret: boolean;
  description?: string;
}

/** Describe an entry's config fields from its zod schema. */
export function describeFields(
  entry: { config: z.ZodType; secrets: readonly string[] },
): FieldInfo[] {
  const schema = z.toJSONSchema(entry.config, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => ({
    name,
    type: typeName(prop),
    required: (schema.required ?? []).includes(name),
    ...(prop.default !== undefined ? { default: prop.default } : {}),
    secret: entry.secrets.includes(name),
    ...(typeof prop.description === "string" ? { description: prop.description } : {}),
  }));
}

function typeName(prop: Record<string, unknown>): string {
  if (Array.isArray(prop.enum)) return prop.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (typeof prop.type === "string") return prop.type;
  if (Array.isArray(prop.anyOf)) return "value";
  return "object";
}
