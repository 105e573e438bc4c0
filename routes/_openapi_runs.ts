/**
 * The run part of the OpenAPI document: `/api/v1/runs…` (routes/api_runs.ts) and the run
 * schema (routes/views.ts `runView`).
 * @module
 */
import { ListRunsQuery, RejectedQuery } from "./api_runs.ts";
import { RunStarted } from "./_openapi_pipelines.ts";
import { answer, csrfParam, denied, errors, idParam, queryParams, ref } from "./_openapi_shared.ts";

const runId = idParam("id", "The run's id");
const editors = denied("editors and owners");
const counts = { type: "object", additionalProperties: { type: "integer" } };
const time = (type: string | string[] = ["string", "null"]) => ({ type, format: "date-time" });

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
    startedBy: {
      type: ["string", "null"],
      description:
        'Who started it: a member\'s email or `token "<name>"`; null for webhooks and schedules',
    },
    rerunOf: { type: ["string", "null"] },
    status: { type: "string", enum: ["queued", "running", "succeeded", "failed", "cancelled"] },
    createdAt: time("string"),
    startedAt: time(),
    finishedAt: time(),
    heartbeatAt: time(),
    counts,
    rejectedByStage: counts,
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
        at: time("string"),
      },
    },
    links: { type: "object" },
  },
};

/** Schemas of `components.schemas` for runs. */
export const runSchemas = { Run };

/** The paths of runs. */
export function runPaths(): Record<string, unknown> {
  return {
    "/api/v1/runs": {
      get: {
        summary: "Runs, newest first",
        parameters: queryParams(ListRunsQuery),
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
        parameters: [runId, csrfParam],
        responses: {
          "200": answer("Cancelled", ref("Run")),
          ...errors,
          "403": editors,
          "409": answer("The run had already ended"),
        },
      },
    },
    "/api/v1/runs/{id}/rerun": {
      post: {
        summary: "Start a new run with the same spec as an ended run",
        parameters: [runId, csrfParam],
        responses: {
          "202": answer("Queued", RunStarted),
          ...errors,
          "403": editors,
          "409": answer("The run has not ended yet"),
        },
      },
    },
    "/api/v1/runs/{id}/rejected": {
      get: {
        summary: "The rejected rows kept for a run, with stage, source reference and reason",
        parameters: [runId, ...queryParams(RejectedQuery)],
        responses: { "200": answer("Rejected rows", { type: "object" }), ...errors },
      },
    },
    "/api/v1/runs/{id}/output": {
      get: {
        summary: "Download the output file of a succeeded run that wrote to the file repository",
        description:
          "Sent as an attachment (Content-Disposition) with the type of the run's format: application/x-ndjson, application/json, text/csv, application/sql or application/vnd.apache.parquet. Only the file the run wrote is sent: once a later run replaced it, download it from that run. Every download goes to the audit log.",
        parameters: [runId],
        responses: {
          "200": {
            description: "The file",
            headers: {
              "Content-Disposition": {
                description: 'attachment; filename="<file name>"',
                schema: { type: "string" },
              },
            },
            content: { "*/*": { schema: { type: "string", format: "binary" } } },
          },
          ...errors,
          "409": answer(
            "There is no file to download, and the sentence says why: the run did not succeed, wrote to a database or object store, or its file is gone or was replaced by a later run",
          ),
        },
      },
    },
  };
}
