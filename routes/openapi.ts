/**
 * The OpenAPI 3.1 document of the JSON API and the webhook route, served at
 * `GET /api/openapi.json`. Request bodies come from the same zod schemas the routes check.
 * @module
 */
import { z } from "zod";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../triggers/signature.ts";
import { CreatePipelineBody, StartRunBody, UpdatePipelineBody } from "./api.ts";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ "application/json": { schema } });
const answer = (description: string, schema: unknown = ref("Error")) => ({
  description,
  content: json(schema),
});
const errors = {
  "400": answer("The request is not valid; `problems` lists every problem"),
  "401": answer("Missing or wrong API token"),
  "404": answer("No such object for this tenant"),
};
const idParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
const runId = idParam("id", "The run's id");
const pipelineId = idParam("id", "The pipeline's id (32 hex digits)");
const body = (schema: z.ZodType) => ({ required: false, content: json(z.toJSONSchema(schema)) });

const RunStarted = {
  type: "object",
  required: ["runId", "status", "statusUrl"],
  properties: {
    runId: { type: "string" },
    status: { type: "string" },
    statusUrl: { type: "string", format: "uri", description: "GET it with the API token" },
  },
};

const Run = {
  type: "object",
  description: "A run: status, counts per stage, progress, timestamps, outcome. Never secrets.",
  properties: {
    id: { type: "string" },
    pipeline: {
      type: "object",
      properties: { id: { type: ["string", "null"] }, name: { type: "string" } },
    },
    trigger: { type: ["string", "null"], enum: ["api", "webhook", "rerun", "schedule", null] },
    rerunOf: { type: ["string", "null"] },
    status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "cancelled"] },
    createdAt: { type: "string", format: "date-time" },
    startedAt: { type: ["string", "null"], format: "date-time" },
    finishedAt: { type: ["string", "null"], format: "date-time" },
    heartbeatAt: { type: ["string", "null"], format: "date-time" },
    counts: { type: "object", additionalProperties: { type: "integer" } },
    rejectedByStage: { type: "object", additionalProperties: { type: "integer" } },
    rejectedKept: { type: "integer" },
    progress: {
      type: "object",
      properties: {
        rowsRead: { type: "integer" },
        total: {
          type: ["integer", "null"],
          description:
            "Rows the source said it will give (databases, FHIR servers); null if unknown",
        },
        percent: { type: ["integer", "null"] },
        readDone: { type: "boolean" },
        steps: { type: "integer" },
      },
    },
    error: { type: ["string", "null"], description: "For users: sentences, never a stack trace" },
    warnings: { type: "array", items: { type: "string" } },
    retries: {
      type: "object",
      description: "Requests and steps that failed and were tried again; the last ten reasons",
      properties: {
        count: { type: "integer" },
        recent: { type: "array", items: { type: "string" } },
      },
    },
    output: { type: ["object", "null"] },
    manifest: { type: ["object", "null"] },
    notification: {
      type: ["object", "null"],
      description:
        "How the run's notification went; null when the pipeline has no notification URL or it is not sent yet. A failed notification never changes the run's status.",
      required: ["delivered", "attempts", "status", "lastError", "at"],
      properties: {
        delivered: { type: "boolean" },
        attempts: { type: "integer", description: "Requests sent" },
        status: { type: ["integer", "null"], description: "HTTP status of the last answer" },
        lastError: { type: ["string", "null"], description: "Why it was not delivered" },
        at: { type: "string", format: "date-time" },
      },
    },
    links: { type: "object" },
  },
};

const Schedule = {
  type: ["object", "null"],
  properties: {
    cron: { type: "string", description: "5-field cron expression in UTC" },
    says: { type: "string", description: 'In words, e.g. "Every 15 minutes"' },
  },
};

const Pipeline = {
  type: "object",
  description: "A saved pipeline; its spec's secret fields show as ********, secrets never",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    webhook: { type: "object", properties: { url: { type: "string", format: "uri" } } },
    schedule: Schedule,
    notify: {
      type: ["object", "null"],
      properties: {
        url: { type: "string", format: "uri" },
        secret: {
          type: "string",
          description: "Only in the answer of the change that created the secret",
        },
      },
    },
    spec: { type: "object" },
  },
};

const RunNotification = {
  type: "object",
  required: ["tenant", "pipeline", "pipelineId", "run", "status", "counts", "output", "at"],
  properties: {
    tenant: { type: "string" },
    pipeline: { type: "string", description: "The pipeline's name" },
    pipelineId: { type: "string" },
    run: { type: "string", description: "The run's id" },
    status: { type: "string", enum: ["succeeded", "failed", "cancelled"] },
    counts: { type: "object", additionalProperties: { type: "integer" } },
    output: {
      type: ["object", "null"],
      properties: {
        location: { type: "string" },
        records: { type: "integer" },
        bytes: { type: "integer" },
        checksum: { type: "string" },
      },
    },
    reportUrl: { type: ["string", "null"], format: "uri" },
    at: { type: "string", format: "date-time", description: "When the run ended" },
    error: { type: "string", description: "Why the run failed" },
  },
};

/** The OpenAPI document (a fresh plain object each call). */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "PyxGen Portal API",
      version: "1.0.0",
      description:
        "Pipelines and runs of one tenant, chosen by the bearer token. Another tenant's objects answer 404.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/pipelines": {
        get: {
          summary: "List pipelines (without specs or secrets)",
          responses: { "200": answer("The pipelines", { type: "object" }), "401": errors["401"] },
        },
        post: {
          summary:
            "Save a pipeline; the answer shows its webhook secret (and notification secret), once",
          requestBody: { ...body(CreatePipelineBody), required: true },
          responses: {
            "201": answer("Saved", ref("PipelineCreated")),
            "400": errors["400"],
            "401": errors["401"],
          },
        },
      },
      "/api/v1/pipelines/{id}": {
        get: {
          summary: "One pipeline, its spec's secret fields shown as ********",
          parameters: [pipelineId],
          responses: { "200": answer("The pipeline", ref("Pipeline")), ...errors },
        },
        patch: {
          summary: "Change or remove the schedule and the notification URL",
          description:
            "A missing field keeps its setting; null removes it. A changed schedule fires only for minutes from now on. A changed notification URL keeps its signing secret; a first one gets a new secret, shown in this answer only. Removing notifications drops their secret.",
          parameters: [pipelineId],
          requestBody: { ...body(UpdatePipelineBody), required: true },
          responses: { "200": answer("The changed pipeline", ref("Pipeline")), ...errors },
        },
      },
      "/api/v1/pipelines/{id}/runs": {
        post: {
          summary: "Start a run",
          parameters: [pipelineId],
          requestBody: body(StartRunBody),
          responses: { "202": answer("Queued", RunStarted), ...errors },
        },
      },
      "/api/v1/runs": {
        get: {
          summary: "Runs, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
            { name: "cursor", in: "query", schema: { type: "string" } },
          ],
          responses: {
            "200": answer("A page of runs; `next` is the cursor of the following page", {
              type: "object",
              properties: {
                runs: { type: "array", items: ref("Run") },
                next: { type: ["string", "null"] },
              },
            }),
            "400": errors["400"],
            "401": errors["401"],
          },
        },
      },
      "/api/v1/runs/{id}": {
        get: {
          summary: "One run",
          parameters: [runId],
          responses: { "200": answer("The run", ref("Run")), ...errors },
        },
      },
      "/api/v1/runs/{id}/cancel": {
        post: {
          summary: "Cancel a queued or running run",
          parameters: [runId],
          responses: {
            "200": answer("Cancelled", ref("Run")),
            ...errors,
            "409": answer("The run had already ended"),
          },
        },
      },
      "/api/v1/runs/{id}/rerun": {
        post: {
          summary: "Start a new run with the same spec as an ended run",
          parameters: [runId],
          responses: {
            "202": answer("Queued", RunStarted),
            ...errors,
            "409": answer("The run has not ended yet"),
          },
        },
      },
      "/api/v1/runs/{id}/rejected": {
        get: {
          summary: "The rejected rows kept for a run, with stage, source reference and reason",
          parameters: [runId, {
            name: "limit",
            in: "query",
            schema: { type: "integer", minimum: 1, maximum: 10_000 },
          }],
          responses: { "200": answer("Rejected rows", { type: "object" }), ...errors },
        },
      },
      "/hooks/{pipelineId}": {
        post: {
          summary: "Start a run from a signed webhook request",
          description:
            `Sign with HMAC-SHA256, keyed with the pipeline's webhook secret, over "<timestamp>.<raw body>"; send ${TIMESTAMP_HEADER}: <unix seconds> and ${SIGNATURE_HEADER}: v1=<hex>. Requests more than 5 minutes old, replayed or badly signed answer 401 without saying why. A repeated Idempotency-Key answers with the run its first request started.`,
          security: [],
          parameters: [
            idParam("pipelineId", "The pipeline's id"),
            { name: TIMESTAMP_HEADER, in: "header", required: true, schema: { type: "string" } },
            { name: SIGNATURE_HEADER, in: "header", required: true, schema: { type: "string" } },
            { name: "Idempotency-Key", in: "header", schema: { type: "string", maxLength: 200 } },
          ],
          requestBody: { content: { "*/*": { schema: {} } } },
          responses: {
            "202": answer(
              "Queued, or the run an earlier request with this key started",
              RunStarted,
            ),
            "400": answer("The Idempotency-Key is not valid"),
            "401": answer("Not accepted (no reason given)"),
          },
        },
      },
    },
    webhooks: {
      runEnded: {
        post: {
          summary: "Sent to a pipeline's notification URL when one of its runs ends",
          description:
            `Signed like inbound webhooks with the pipeline's notification secret: ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">. X-PyxGen-Delivery: <run>:<status> stays the same across retries. Network errors, timeouts, 408, 429 and 5xx are retried with backoff; redirects are not followed.`,
          security: [],
          requestBody: { required: true, content: json(ref("RunNotification")) },
          responses: { "200": { description: "Any 2xx answer counts as delivered" } },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: { type: "string", description: "One readable sentence" },
            problems: { type: "array", items: { type: "string" } },
          },
        },
        PipelineCreated: {
          type: "object",
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            webhook: {
              type: "object",
              properties: {
                url: { type: "string", format: "uri" },
                secret: { type: "string", description: "Shown only in this answer" },
              },
            },
            schedule: Schedule,
            notify: {
              type: "object",
              description: "When `notify` was sent",
              properties: {
                url: { type: "string", format: "uri" },
                secret: {
                  type: "string",
                  description: "Signs notifications; shown only in this answer",
                },
              },
            },
          },
        },
        Pipeline,
        Run,
        RunNotification,
      },
    },
  };
}
