/**
 * "Test connection" and "list tables" for one source or repository step, as the dashboard and
 * the CLI call them: the step's config is checked with its entry's schema, the entry is asked,
 * and the answer is always a sentence, within a time limit, never a stack trace.
 * @module
 */
import { ConfigError, userMessage } from "./errors.ts";
import { extractors } from "./extract/mod.ts";
import { loaders } from "./load/mod.ts";
import { stepConfig, zodProblems } from "./spec.ts";
import type { CatalogTable, Extractor, Loader, RunContext } from "./types.ts";

/** The outcome of a connection test, shown next to the form's button. */
export interface ConnectionAnswer {
  ok: boolean;
  message: string;
}

/** Which side of a pipeline a step is on. */
export type StepKind = "source" | "repository";

/** How long the dashboard waits before saying the server did not answer. */
export const CONNECTION_TIMEOUT_MS = 10_000;

function entryOf(kind: StepKind, step: Record<string, unknown>): Extractor | Loader {
  const type = String(step.type ?? "");
  const entry = kind === "source" ? extractors.get(type) : loaders.get(type);
  if (!entry) throw new ConfigError(`${kind}.type: unknown ${kind} type "${type}"`);
  return entry;
}

function parse(kind: StepKind, entry: Extractor | Loader, step: Record<string, unknown>) {
  const parsed = entry.config.safeParse(stepConfig(step, "type"));
  if (!parsed.success) {
    const problems = zodProblems(parsed.error, kind);
    throw new ConfigError(`The ${kind} settings have ${problems.length} problem(s)`, problems);
  }
  return parsed.data;
}

async function withTimeout<T>(work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConfigError(
            `No answer within ${
              CONNECTION_TIMEOUT_MS / 1000
            } seconds: check the host, the port and any firewall between us and the server`,
          ),
        ),
      CONNECTION_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Test a source or repository step's connection.
 *
 * @example
 * ```ts
 * await testConnection("source", { type: "mysql", host: "db.clinic.org", user: "etl", database: "emr" }, ctx);
 * // { ok: false, message: "Wrong password for user etl on db.clinic.org:3306 ..." }
 * ```
 */
export async function testConnection(
  kind: StepKind,
  step: Record<string, unknown>,
  ctx: RunContext,
): Promise<ConnectionAnswer> {
  try {
    const entry = entryOf(kind, step);
    const config = parse(kind, entry, step);
    if (!entry.test) {
      return { ok: true, message: `${entry.title}: nothing to connect to; settings are valid` };
    }
    const check = await withTimeout(() => entry.test!(ctx, config as never));
    return { ok: true, message: check.message };
  } catch (err) {
    return { ok: false, message: userMessage(err) };
  }
}

/** List the tables (and their columns) a source step can read. */
export async function listCatalog(
  step: Record<string, unknown>,
  ctx: RunContext,
): Promise<{ ok: true; tables: CatalogTable[] } | { ok: false; message: string }> {
  try {
    const entry = entryOf("source", step) as Extractor;
    const config = parse("source", entry, step);
    if (!entry.catalog) {
      return { ok: false, message: `${entry.title} has no tables to list` };
    }
    return { ok: true, tables: await withTimeout(() => entry.catalog!(ctx, config)) };
  } catch (err) {
    return { ok: false, message: userMessage(err) };
  }
}

/**
 * A context for connection tests outside a run (dashboard forms, the CLI): nothing is rejected,
 * nothing is written.
 */
export function connectionContext(
  options: { allowPrivateNetwork?: boolean; tenant?: string; signal?: AbortSignal } = {},
): RunContext {
  return {
    signal: options.signal ?? AbortSignal.timeout(CONNECTION_TIMEOUT_MS + 1_000),
    now: new Date(),
    inputRoot: Deno.cwd(),
    outputRoot: Deno.cwd(),
    reject() {},
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    ids: { tenant: options.tenant ?? "local", pipeline: "connection-test", run: "connection-test" },
  };
}
