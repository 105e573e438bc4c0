/**
 * Checking what a user sends for a saved connection: its name, kind, type and settings. Every
 * problem is collected with its path (`name`, `config.port`) instead of stopping at the first.
 *
 * A saved connection holds the settings to *reach* a server (host, port, user, password,
 * database; a URL and its credentials; a bucket and its keys), not what a pipeline reads from it
 * or writes into it (a table, a query, a FHIR resource type): those stay in each pipeline's step.
 * No entry says which of its fields are which, so the settings are checked with the entry's
 * schema made partial: every field is optional, each field given must be valid, fields the
 * schema does not know are refused, and the entry's cross-field rules (e.g. "exactly one of
 * table or query") are left to the pipeline step and the connection test, which parse the full
 * schema.
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../etl/errors.ts";
import { extractors } from "../etl/extract/mod.ts";
import { loaders } from "../etl/load/mod.ts";
import { zodProblems } from "../etl/spec.ts";
import type { Extractor, Loader } from "../etl/types.ts";
import { MASK } from "../vault/fields.ts";

/** Which side of a pipeline a connection serves. */
export type ConnectionKind = "source" | "repository";

/** A registry entry a connection can be saved for. */
export type ConnectionEntry = Extractor | Loader;

/** What a new connection is made of, once checked. */
export interface NewConnection {
  name: string;
  kind: ConnectionKind;
  type: string;
  config: Record<string, unknown>;
  entry: ConnectionEntry;
}

/** A connection's display name. */
export const ConnectionName = z.string().trim()
  .min(1, 'is empty; give a name such as "EMR database"')
  .max(100, "is longer than 100 characters");

const Kind = z.enum(["source", "repository"], { error: 'must be "source" or "repository"' });
const Config = z.record(z.string(), z.unknown(), { error: "must be an object of settings" });

const NewShape = z.strictObject({
  name: ConnectionName,
  kind: Kind,
  type: z.string({ error: 'must be a type such as "postgres"' }).min(1),
  config: Config.default({}),
});

const ChangeShape = z.strictObject({ name: ConnectionName.optional(), config: Config.optional() });

/** Problems of the outer shape, with unknown fields and a non-object named plainly. */
function shapeProblems(error: z.ZodError, fields: string, unknown: string): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => `${key}: ${unknown}; send ${fields}`);
    }
    if (issue.path.length === 0) return [`(connection): must be an object with ${fields}`];
    return zodProblems(new z.ZodError([issue]));
  });
}

const registryOf = (kind: ConnectionKind) => kind === "source" ? extractors : loaders;

/**
 * The entry a connection of `kind` and `type` is checked and tested with. Only entries that can
 * test a connection (databases, APIs, object stores) have one; files have nothing to connect to.
 */
export function connectionEntry(kind: ConnectionKind, type: string): ConnectionEntry | undefined {
  const entry: ConnectionEntry | undefined = registryOf(kind).get(type);
  return entry?.test ? entry : undefined;
}

/** The types a connection of `kind` can have, in the dashboard's order. */
export function connectionTypes(kind: ConnectionKind): string[] {
  return (registryOf(kind).entries as readonly ConnectionEntry[]).filter((e) => e.test)
    .map((e) => e.type);
}

function typeProblem(kind: ConnectionKind, type: string): string {
  const other: ConnectionKind = kind === "source" ? "repository" : "source";
  const known = `saved ${kind} connections can be ${connectionTypes(kind).join(", ")}`;
  if (registryOf(kind).get(type)) {
    return `type: "${type}" has nothing to connect to, so it needs no saved connection; ${known}`;
  }
  if (connectionEntry(other, type)) {
    return `type: "${type}" is a ${other} type; set kind to "${other}", or choose a ${kind} type`;
  }
  return `type: unknown ${kind} type "${type}"; ${known}`;
}

const partials = new WeakMap<ConnectionEntry, z.ZodType>();

/** The entry's schema with every field optional and the cross-field rules left out. */
function partialSchema(entry: ConnectionEntry): z.ZodType {
  let schema = partials.get(entry);
  if (!schema) {
    const full = entry.config;
    schema = full instanceof z.ZodObject
      ? z.object(
        Object.fromEntries(
          Object.entries(full.shape as Record<string, z.ZodType>).map(([k, s]) => [
            k,
            s.optional(),
          ]),
        ),
      )
      : full;
    partials.set(entry, schema);
  }
  return schema;
}

/**
 * Problems of a connection's settings for `entry`, each as `config.<field>: <what is wrong>`;
 * empty when they are valid. Secrets must be given as plain text here.
 */
export function configProblems(entry: ConnectionEntry, config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (entry.config instanceof z.ZodObject) {
    const known = Object.keys(entry.config.shape);
    for (const key of Object.keys(config)) {
      if (!known.includes(key)) {
        problems.push(
          `config.${key}: is not a setting of ${entry.title}; its settings are ${known.join(", ")}`,
        );
      }
    }
  }
  for (const name of entry.secrets) {
    if (config[name] === MASK) {
      problems.push(
        `config.${name}: type the secret itself; "${MASK}" is only how saved secrets are shown`,
      );
    }
  }
  const parsed = partialSchema(entry).safeParse(config);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, "config"));
  return problems;
}

/** Throw a ConfigError listing `problems` when there are any. */
export function refuse(problems: string[], what = "The connection"): void {
  if (problems.length === 0) return;
  throw new ConfigError(`${what} has ${problems.length} problem(s); fix them and retry.`, problems);
}

/** `input` checked as a new connection; a ConfigError lists every problem with its path. */
export function checkNewConnection(input: unknown): NewConnection {
  const parsed = NewShape.safeParse(input);
  const problems = parsed.success ? [] : shapeProblems(
    parsed.error,
    "name, kind, type and config",
    "is not a field of a connection",
  );
  const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const kind = Kind.safeParse(raw.kind);
  const config = Config.default({}).safeParse(raw.config);
  let entry: ConnectionEntry | undefined;
  if (kind.success && typeof raw.type === "string" && raw.type !== "") {
    entry = connectionEntry(kind.data, raw.type);
    if (!entry) problems.push(typeProblem(kind.data, raw.type));
    else if (config.success) problems.push(...configProblems(entry, config.data));
  }
  refuse(problems);
  return { ...parsed.data!, entry: entry! };
}

/** `input` checked as a change of a connection (name and/or settings). */
export function checkChange(input: unknown): { name?: string; config?: Record<string, unknown> } {
  const parsed = ChangeShape.safeParse(input);
  if (!parsed.success) {
    refuse(
      shapeProblems(parsed.error, "name and/or config", "cannot be changed; make a new connection"),
      "The change",
    );
  }
  const change = parsed.data!;
  if (change.name === undefined && change.config === undefined) {
    throw new ConfigError('The change is empty; send "name" and/or "config".');
  }
  return change;
}
