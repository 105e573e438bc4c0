/**
 * The OpenAPI 3.1 document of the JSON API, the sign-in routes and the webhook route, served at
 * `GET /api/openapi.json`. Request bodies and queries come from the same zod schemas the routes
 * check; each part lives in a `_openapi_*.ts` file beside its routes' subject, and
 * `openapi_test.ts` checks that every mounted route is documented and every documented one
 * exists.
 * @module
 */
import { accountPaths, accountSchemas } from "./_openapi_accounts.ts";
import { auditPaths, auditSchemas } from "./_openapi_audit.ts";
import { reportPaths } from "./_openapi_reports.ts";
import { authPaths, authSchemas } from "./_openapi_auth.ts";
import { connectionPaths, connectionSchemas } from "./_openapi_connections.ts";
import { pipelinePaths, pipelineSchemas } from "./_openapi_pipelines.ts";
import { runPaths, runSchemas } from "./_openapi_runs.ts";
import { hookPaths, runWebhooks, webhookSchemas } from "./_openapi_webhooks.ts";
import { csrfParameter } from "./_openapi_shared.ts";

const ErrorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: { type: "string", description: "One readable sentence" },
    problems: { type: "array", items: { type: "string" } },
  },
};

const securitySchemes = {
  bearer: {
    type: "http",
    scheme: "bearer",
    description:
      "An API token (Authorization: Bearer pyx_…), made by an owner at POST /api/v1/tokens; it names its tenant and role.",
  },
  session: {
    type: "apiKey",
    in: "cookie",
    name: "pyx_session",
    description:
      "The session cookie set by /auth/signin, /auth/signup and /auth/invites/accept. POST, PATCH and DELETE with it must send the session's CSRF token in the X-CSRF-Token header (parameter CsrfToken), from a page of this server; otherwise they answer 403.",
  },
};

/** The OpenAPI document (a fresh plain object each call). */
export function openApiDocument(): Record<string, unknown> {
  // structuredClone: the parts share constant objects, and callers may change their copy.
  return structuredClone({
    openapi: "3.1.0",
    info: {
      title: "PyxGen Portal API",
      version: "1.0.0",
      description:
        "Pipelines, runs, connections, members and the audit log of one tenant, chosen by the bearer token or the signed-in session. Another tenant's objects answer 404. Roles: viewers read pipelines and runs; editors also change pipelines, start and cancel runs and manage connections; owners also manage members, invites, API tokens and read the audit log. A role too low answers 403.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      ...pipelinePaths(),
      ...runPaths(),
      ...hookPaths(),
      ...connectionPaths(),
      ...accountPaths(),
      ...auditPaths(),
      ...reportPaths(),
      ...authPaths(),
    },
    webhooks: runWebhooks(),
    components: {
      securitySchemes,
      parameters: { CsrfToken: csrfParameter },
      schemas: {
        Error: ErrorSchema,
        ...pipelineSchemas,
        ...runSchemas,
        ...webhookSchemas,
        ...connectionSchemas,
        ...accountSchemas,
        ...auditSchemas,
        ...authSchemas,
      },
    },
  });
}
