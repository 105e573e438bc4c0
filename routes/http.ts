/**
 * HTTP helpers shared by the routes: errors as JSON sentences, zod-checked bodies, params and
 * queries, and absolute URLs for answers.
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import { ConfigError, RetriableError } from "../etl/errors.ts";
import { zodProblems } from "../etl/spec.ts";

/** An answer other than success: `status` with `{ error, problems? }`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: string;
  problems?: string[];
}

/**
 * Any thrown value as a JSON answer: our errors keep their sentence, anything else becomes a
 * 500 with a generic sentence (the details go to `log`, never to the caller).
 */
export function errorResponse(c: Context, err: unknown, log: (line: string) => void): Response {
  if (err instanceof ApiError) return c.json(body(err.message, err.problems), err.status);
  if (err instanceof ConfigError) return c.json(body(err.message, err.problems), 400);
  if (err instanceof RetriableError) return c.json(body(err.message), 503);
  log(`${c.req.method} ${new URL(c.req.url).pathname} failed: ${String(err)}`);
  return c.json({ error: "Something went wrong on the server; try again later." }, 500);
}

function body(error: string, problems: string[] = []): ErrorBody {
  return problems.length > 0 ? { error, problems } : { error };
}

/** The request body as JSON checked against `schema`; an empty body counts as `{}`. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError(400, "The request body is not valid JSON; send a JSON object.");
    }
  }
  return check(schema, raw, "The request body");
}

/** A path parameter or query checked against `schema`. */
export function checked<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  return check(schema, raw, what);
}

function check<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = zodProblems(parsed.error);
  throw new ApiError(
    400,
    `${what} has ${problems.length} problem(s); fix them and retry.`,
    problems,
  );
}

/** An absolute URL for `path` on this server (`publicUrl` when configured). */
export function urlFor(c: Context, publicUrl: string | undefined, path: string): string {
  const base = publicUrl ?? new URL(c.req.url).origin;
  return `${base.replace(/\/+$/, "")}${path}`;
}

/** Ids of saved pipelines: 32 hex digits. */
export const PipelineId = z.string().regex(/^[0-9a-f]{32}$/, "must be 32 hex digits")
  .describe("The pipeline's id");

/** Ids of runs: letters, digits and dashes. */
export const RunId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be a run id")
  .describe("The run's id");
