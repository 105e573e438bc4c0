/**
 * The connections part of the OpenAPI document: `/api/v1/connections…`
 * (routes/api_connections.ts). Secrets are write-only: every answer shows them as "••••••".
 * @module
 */
import { z } from "zod";
import { ConnectionName, connectionTypes } from "../connections/mod.ts";
import { MASK } from "../vault/fields.ts";
import { Body } from "./api_connections.ts";
import {
  answer,
  csrfParam,
  denied,
  errors,
  idParam,
  json,
  noContent,
  ref,
} from "./_openapi_shared.ts";

const connectionId = idParam("id", "The connection's id (32 hex digits)");
const editors = denied("editors and owners");
const editorsRead = denied("editors and owners", false);
const noVault = answer(
  "The server has no credential vault (MASTER_KEY), or cannot open a stored secret; ask the operator",
);
const config = (what: string) => ({
  type: "object",
  description:
    `${what} The settings to reach the server, as the pipeline step of this type names them (host, port, user, password, database; a URL and its credentials; a bucket and its keys), not what a pipeline reads or writes. Secret fields as plain text.`,
});

/**
 * A request body: the route's own zod schema (any JSON object; the store checks the fields and
 * lists every problem with its path) with the fields it accepts described.
 */
function connectionBody(properties: Record<string, unknown>, required: string[] = []) {
  const { $schema: _, ...generated } = z.toJSONSchema(Body) as Record<string, unknown>;
  const schema = { ...generated, properties, required, additionalProperties: false };
  return { required: true, content: json(schema) };
}

function name() {
  const { $schema: _, ...schema } = z.toJSONSchema(ConnectionName) as Record<string, unknown>;
  return { ...schema, description: 'A name to recognise it by, e.g. "EMR database"' };
}

const str = { type: "string" };
const time = { type: "string", format: "date-time" };
const kind = { type: "string", enum: ["source", "repository"] };
const Column = { type: "object", properties: { name: str, type: str } };
const Table = {
  type: "object",
  required: ["name", "columns"],
  properties: {
    name: { type: "string", description: "`schema.table` or `table`" },
    columns: { type: "array", items: Column },
    rows: { type: "integer", description: "Row count, when cheap to know" },
  },
};

/** Schemas of `components.schemas` for connections. */
export const connectionSchemas = {
  Connection: {
    type: "object",
    description: `A saved connection; every secret that is set shows as "${MASK}"`,
    required: ["id", "name", "kind", "type", "config", "createdAt", "updatedAt"],
    properties: {
      id: str,
      name: str,
      kind,
      type: str,
      config: { type: "object", description: `The settings; secrets as "${MASK}"` },
      createdAt: time,
      updatedAt: time,
      createdBy: { type: "string", description: "Who saved it" },
    },
  },
  ConnectionTest: {
    type: "object",
    required: ["ok", "message"],
    properties: {
      ok: { type: "boolean" },
      message: { type: "string", description: "What worked, or what failed; never a secret" },
    },
  },
  ConnectionTables: {
    type: "object",
    required: ["ok"],
    description: "`tables` when ok, else `message` saying why they could not be listed",
    properties: { ok: { type: "boolean" }, tables: { type: "array", items: Table }, message: str },
  },
};

/** The paths of saved connections. */
export function connectionPaths(): Record<string, unknown> {
  const sources = connectionTypes("source").join(", ");
  const repositories = connectionTypes("repository").join(", ");
  const tables = {
    parameters: [connectionId],
    responses: {
      "200": answer("The tables and their columns", ref("ConnectionTables")),
      "400": answer("The id is not valid, or the connection is a repository"),
      "401": errors["401"],
      "404": errors["404"],
      "503": noVault,
    },
  };
  return {
    "/api/v1/connections": {
      get: {
        summary: "The tenant's saved connections, secrets masked",
        responses: {
          "200": answer("The connections", {
            type: "object",
            properties: { connections: { type: "array", items: ref("Connection") } },
          }),
          "401": errors["401"],
          "403": editorsRead,
          "503": noVault,
        },
      },
      post: {
        summary: "Save a connection; its secrets are sealed and never shown again",
        parameters: [csrfParam],
        requestBody: connectionBody({
          name: name(),
          kind,
          type: {
            type: "string",
            description: `Sources: ${sources}. Repositories: ${repositories}.`,
          },
          config: config("Default {}."),
        }, ["name", "kind", "type"]),
        responses: {
          "201": answer("Saved (Location: its URL)", ref("Connection")),
          "400": errors["400"],
          "401": errors["401"],
          "403": editors,
          "503": noVault,
        },
      },
    },
    "/api/v1/connections/{id}": {
      get: {
        summary: "One saved connection, secrets masked",
        parameters: [connectionId],
        responses: {
          "200": answer("The connection", ref("Connection")),
          ...errors,
          "403": editorsRead,
          "503": noVault,
        },
      },
      patch: {
        summary: "Rename a connection and/or replace its settings",
        description:
          `\`config\` is the whole new settings. A secret left out, empty or still "${MASK}" keeps its saved value; null removes it. Kind and type cannot change: make a new connection.`,
        parameters: [connectionId, csrfParam],
        requestBody: connectionBody({ name: name(), config: config("The whole new settings.") }),
        responses: {
          "200": answer("The changed connection", ref("Connection")),
          ...errors,
          "403": editors,
          "503": noVault,
        },
      },
      delete: {
        summary: "Delete a saved connection",
        parameters: [connectionId, csrfParam],
        responses: { "204": noContent("Deleted"), ...errors, "403": editors, "503": noVault },
      },
    },
    "/api/v1/connections/{id}/test": {
      post: {
        summary: "Try to reach the server with the saved settings",
        description: "A failed test is a 200 with ok false and the reason, never the secret.",
        parameters: [connectionId, csrfParam],
        responses: {
          "200": answer("The outcome", ref("ConnectionTest")),
          ...errors,
          "403": editors,
          "503": noVault,
        },
      },
    },
    "/api/v1/connections/{id}/tables": {
      get: {
        summary: "The tables a saved source connection can read",
        ...tables,
        responses: { ...tables.responses, "403": editorsRead },
      },
      post: {
        summary: "The tables a saved source connection can read (POST for forms)",
        ...tables,
        parameters: [connectionId, csrfParam],
        responses: { ...tables.responses, "403": editors },
      },
    },
  };
}
