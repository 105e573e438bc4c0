/**
 * The webhooks part of the OpenAPI document: the signed request that starts a run
 * (`/hooks/{pipelineId}`, routes/hooks.ts) and the signed notification the server sends when a
 * run ends (`webhooks.runEnded`, pipelines/notifier.ts).
 * @module
 */
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../triggers/signature.ts";
import { RunStarted } from "./_openapi_pipelines.ts";
import { answer, idParam, json, ref } from "./_openapi_shared.ts";

const counts = { type: "object", additionalProperties: { type: "integer" } };

const RunNotification = {
  type: "object",
  required: ["tenant", "pipeline", "pipelineId", "run", "status", "counts", "output", "at"],
  properties: {
    tenant: { type: "string" },
    pipeline: { type: "string", description: "The pipeline's name" },
    pipelineId: { type: "string" },
    run: { type: "string", description: "The run's id" },
    status: { type: "string", enum: ["succeeded", "failed", "cancelled"] },
    counts,
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

/** Schemas of `components.schemas` for webhooks. */
export const webhookSchemas = { RunNotification };

/** The signed webhook that starts a run of a pipeline. */
export function hookPaths(): Record<string, unknown> {
  return {
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
          "202": answer("Queued, or the run an earlier request with this key started", RunStarted),
          "400": answer("The Idempotency-Key is not valid"),
          "401": answer("Not accepted (no reason given)"),
        },
      },
    },
  };
}

/** `webhooks`: what the server sends to a pipeline's notification URL. */
export function runWebhooks(): Record<string, unknown> {
  return {
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
  };
}
