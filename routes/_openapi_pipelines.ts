/**
 * The pipeline part of the OpenAPI document: `/api/v1/pipelines…` (routes/api.ts), the
 * schemas of pipelines, and the answer of every request that starts a run.
 * @module
 */
import { CreatePipelineBody, StartRunBody, UpdatePipelineBody } from "./api.ts";
import { answer, body, csrfParam, denied, errors, idParam, ref } from "./_openapi_shared.ts";

const pipelineId = idParam("id", "The pipeline's id (32 hex digits)");
const editors = denied("editors and owners");

/** The answer of every request that starts a run. */
export const RunStarted = {
  type: "object",
  required: ["runId", "status", "statusUrl"],
  properties: {
    runId: { type: "string" },
    status: { type: "string" },
    statusUrl: { type: "string", format: "uri", description: "GET it with the API token" },
  },
};

const Schedule = {
  type: ["object", "null"],
  properties: {
    cron: { type: "string", description: "5-field cron expression in UTC" },
    says: { type: "string", description: 'In words, e.g. "Every 15 minutes"' },
  },
};

/** Schemas of `components.schemas` for pipelines. */
export const pipelineSchemas = {
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
          secret: { type: "string", description: "Signs notifications; shown only in this answer" },
        },
      },
    },
  },
  Pipeline: {
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
  },
};

/** The paths of pipelines. */
export function pipelinePaths(): Record<string, unknown> {
  return {
    "/api/v1/pipelines": {
      get: {
        summary: "List pipelines (without specs or secrets)",
        responses: { "200": answer("The pipelines", { type: "object" }), "401": errors["401"] },
      },
      post: {
        summary:
          "Save a pipeline; the answer shows its webhook secret (and notification secret), once",
        parameters: [csrfParam],
        requestBody: { ...body(CreatePipelineBody), required: true },
        responses: {
          "201": answer("Saved", ref("PipelineCreated")),
          "400": errors["400"],
          "401": errors["401"],
          "403": editors,
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
        parameters: [pipelineId, csrfParam],
        requestBody: { ...body(UpdatePipelineBody), required: true },
        responses: {
          "200": answer("The changed pipeline", ref("Pipeline")),
          ...errors,
          "403": editors,
        },
      },
    },
    "/api/v1/pipelines/{id}/runs": {
      post: {
        summary: "Start a run",
        parameters: [pipelineId, csrfParam],
        requestBody: body(StartRunBody),
        responses: { "202": answer("Queued", RunStarted), ...errors, "403": editors },
      },
    },
  };
}
