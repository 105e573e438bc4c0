/**
 * Config shared by the API sources (REST, FHIR server): credentials, limits and retries, and
 * turning them into {@link safeGet} options.
 * @module
 */
import { z } from "zod";
import { type HttpAuth, type Redactor, redactorFor, type SafeGetOptions } from "../net/http.ts";
import type { RunContext } from "../types.ts";

const POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** A JSON pointer field: `/data/items`, or empty for the whole body. */
export const jsonPointer = () =>
  z.string().regex(POINTER, 'must be a JSON pointer such as "/data" or "/links/next"');

/** An http(s) address field. */
export const httpUrl = () =>
  z.url({
    protocol: /^https?$/,
    error: "must be an http or https address such as https://api.example.org/v1/items",
  });

/** How to sign in, what to send, and how patient and how large to be. */
export const HttpFields = {
  auth: z.enum(["none", "bearer", "basic", "apiKeyHeader", "apiKeyQuery"]).default("none")
    .describe(
      "How to sign in: none, bearer (a token), basic (user and password), apiKeyHeader or apiKeyQuery (an API key in a header or in the address)",
    ),
  token: z.string().optional().describe("Bearer token (auth: bearer)"),
  user: z.string().optional().describe("User name (auth: basic)"),
  password: z.string().optional().describe("Password (auth: basic)"),
  apiKeyName: z.string().min(1).optional().describe(
    "Header or query parameter that carries the API key, e.g. X-API-Key or api_key",
  ),
  apiKey: z.string().optional().describe("API key (auth: apiKeyHeader or apiKeyQuery)"),
  headers: z.record(z.string(), z.string()).default({}).describe(
    "Extra request headers, e.g. Accept; put credentials in the sign-in fields, not here",
  ),
  timeoutSeconds: z.number().positive().max(300).default(30)
    .describe("Give up on a request after this many seconds"),
  maxAttempts: z.number().int().min(1).max(10).default(4).describe(
    "Tries per request when the server is busy (429), failing (5xx) or unreachable",
  ),
  maxResponseMB: z.number().positive().max(200).default(20)
    .describe("Largest response accepted, in MB; ask for smaller pages rather than raising it"),
  maxPages: z.number().int().min(1).optional().describe(
    "Stop after this many pages (default: every page); the run says when it stopped there",
  ),
};

/** Secret fields of every API source. */
export const HTTP_SECRETS = ["token", "password", "apiKey"] as const;

/** The parsed shared fields. */
export type HttpConfig = z.output<z.ZodObject<typeof HttpFields>>;

/** Adds an issue for each credential the chosen `auth` needs but lacks. */
export function checkAuth(config: HttpConfig, ctx: z.RefinementCtx): void {
  const need = (field: keyof HttpConfig, what: string) => {
    if (config[field] === undefined || config[field] === "") {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `auth "${config.auth}" needs ${what}`,
      });
    }
  };
  if (config.auth === "bearer") need("token", "a token");
  if (config.auth === "basic") need("user", "a user name");
  if (config.auth === "apiKeyHeader" || config.auth === "apiKeyQuery") {
    need("apiKeyName", "the header or parameter name (apiKeyName)");
    need("apiKey", "the API key");
  }
}

/** The credentials in the shape {@link safeGet} takes. */
export function authOf(config: HttpConfig): HttpAuth {
  switch (config.auth) {
    case "bearer":
      return { kind: "bearer", token: config.token ?? "" };
    case "basic":
      return { kind: "basic", user: config.user ?? "", password: config.password ?? "" };
    case "apiKeyHeader":
    case "apiKeyQuery":
      return { kind: config.auth, name: config.apiKeyName ?? "", key: config.apiKey ?? "" };
    default:
      return { kind: "none" };
  }
}

/** Request options for one source, and the redactor for its URLs and messages. */
export function httpSetup(
  ctx: RunContext,
  config: HttpConfig,
  base: string,
  accept = "application/json",
): { options: SafeGetOptions; redact: Redactor } {
  const auth = authOf(config);
  const options: SafeGetOptions = {
    signal: ctx.signal,
    allowPrivateNetwork: ctx.allowPrivateNetwork,
    headers: { accept, ...config.headers },
    auth,
    credentialsOrigin: new URL(base).origin,
    timeoutMs: config.timeoutSeconds * 1000,
    maxAttempts: config.maxAttempts,
    maxBytes: Math.round(config.maxResponseMB * 1e6),
    onRetry: ctx.note?.bind(ctx),
  };
  return { options, redact: redactorFor(auth) };
}
