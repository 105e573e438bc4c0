/**
 * The owners' part of the OpenAPI document: members, invites and API tokens
 * (routes/api_members.ts).
 * @module
 */
import { ChangeMemberBody, CreateInviteBody, CreateTokenBody } from "./api_members.ts";
import {
  answer,
  body,
  csrfParam,
  denied,
  errors,
  idParam,
  noContent,
  ref,
} from "./_openapi_shared.ts";

const owners = denied("owners");
const ownersRead = denied("owners", false);
const lastOwner = answer(
  "This would leave the tenant without an owner; make another member owner first",
);
const memberId = idParam("id", "The member's id");
const str = { type: "string" };
const time = { type: "string", format: "date-time" };

/** Schemas of `components.schemas` for members and tokens. */
export const accountSchemas = {
  Role: {
    type: "string",
    enum: ["owner", "editor", "viewer"],
    description: "owner (everything), editor (pipelines, connections, runs) or viewer (read only)",
  },
  Member: {
    type: "object",
    required: ["id", "email", "role", "createdAt"],
    properties: { id: str, email: str, role: ref("Role"), createdAt: time },
  },
  ApiToken: {
    type: "object",
    description: "An API token as listed: never the token itself or its hash",
    required: ["id", "name", "prefix", "createdAt"],
    properties: {
      id: str,
      name: str,
      prefix: { type: "string", description: "The token's first 12 characters, e.g. pyx_3f9a0c1d" },
      createdAt: time,
      createdBy: { type: "string", description: "The member id of who made it" },
      role: { ...ref("Role"), description: "What the token may do; missing means editor" },
      lastUsedAt: { ...time, description: "Last use, to the minute at best; missing when never" },
    },
  },
};

/** The paths of members, invites and tokens. */
export function accountPaths(): Record<string, unknown> {
  return {
    "/api/v1/members": {
      get: {
        summary: "The tenant's members",
        responses: {
          "200": answer("The members", {
            type: "object",
            properties: { members: { type: "array", items: ref("Member") } },
          }),
          "401": errors["401"],
          "403": ownersRead,
        },
      },
    },
    "/api/v1/members/{id}": {
      patch: {
        summary: "Change a member's role; it applies to their sessions at once",
        parameters: [memberId, csrfParam],
        requestBody: { ...body(ChangeMemberBody), required: true },
        responses: {
          "200": answer("The changed member", ref("Member")),
          ...errors,
          "403": owners,
          "409": lastOwner,
        },
      },
      delete: {
        summary: "Remove a member and end all their sessions",
        parameters: [memberId, csrfParam],
        responses: {
          "204": noContent("Removed"),
          ...errors,
          "403": owners,
          "409": lastOwner,
        },
      },
    },
    "/api/v1/invites": {
      post: {
        summary: "Invite someone with a role; the answer shows the invite link, once",
        parameters: [csrfParam],
        requestBody: { ...body(CreateInviteBody), required: true },
        responses: {
          "201": answer("The invite", {
            type: "object",
            required: ["url", "token", "role", "expiresAt"],
            properties: {
              url: { type: "string", format: "uri", description: "Send it to the invitee" },
              token: { type: "string", description: "Shown only in this answer" },
              role: ref("Role"),
              expiresAt: time,
            },
          }),
          "400": errors["400"],
          "401": errors["401"],
          "403": answer(
            "Only owners may do this, a session request lacks its CSRF token, or the API token belongs to no member (invites are made by a signed-in owner)",
          ),
        },
      },
    },
    "/api/v1/tokens": {
      get: {
        summary: "The tenant's API tokens (never the tokens themselves)",
        responses: {
          "200": answer("The tokens, oldest first", {
            type: "object",
            properties: { tokens: { type: "array", items: ref("ApiToken") } },
          }),
          "401": errors["401"],
          "403": ownersRead,
        },
      },
      post: {
        summary: "Make an API token; the answer shows it once, it cannot be read again",
        parameters: [csrfParam],
        requestBody: { ...body(CreateTokenBody), required: true },
        responses: {
          "201": answer("The new token", {
            type: "object",
            required: ["id", "token", "name", "createdAt", "role"],
            properties: {
              id: str,
              token: {
                type: "string",
                description: "pyx_ and 64 hex digits; send it as Authorization: Bearer <token>",
              },
              name: str,
              createdAt: time,
              role: ref("Role"),
            },
          }),
          "400": errors["400"],
          "401": errors["401"],
          "403": owners,
        },
      },
    },
    "/api/v1/tokens/{id}": {
      delete: {
        summary: "Revoke an API token; it stops working at once",
        parameters: [idParam("id", "The token's id (32 hex digits)"), csrfParam],
        responses: { "204": noContent("Revoked"), ...errors, "403": owners },
      },
    },
  };
}
