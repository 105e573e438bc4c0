/**
 * The sign-in part of the OpenAPI document: `/auth/…` (web/auth_routes.ts), which start and end
 * the `pyx_session` cookie that the JSON API also accepts, and the invite link's page
 * (`/auth/invite/{token}`, web/dashboard.tsx).
 * @module
 */
import { z } from "zod";
import { AcceptInviteBody, SignInBody, SignUpBody } from "../web/auth_routes.ts";
import { answer, csrfParam, errors, idParam, noContent, ref } from "./_openapi_shared.ts";

/** JSON or an HTML form post, both checked with the route's zod schema. */
const formOrJson = (schema: z.ZodType) => {
  const generated = { schema: z.toJSONSchema(schema) };
  return {
    required: true,
    content: {
      "application/json": generated,
      "application/x-www-form-urlencoded": generated,
    },
  };
};

const setCookie = {
  "Set-Cookie": {
    description:
      "pyx_session=…; HttpOnly; SameSite=Lax; Path=/ (and Secure over HTTPS). A new session id each sign-in; the browser's previous session is revoked.",
    schema: { type: "string" },
  },
};
const signedIn = (description: string) => ({
  description,
  headers: setCookie,
  content: { "application/json": { schema: ref("Session") } },
});
const otherSite = answer(
  "Posted from another site (a foreign Origin or Sec-Fetch-Site: cross-site); sign in from this server's own page",
);
const noSignIn = answer("Sign-in is not set up on this server (no session store)");
const page = (description: string) => ({
  description,
  content: { "text/html": { schema: { type: "string" } } },
});
const inviteToken = idParam(
  "token",
  "The invite's token, from the link POST /api/v1/invites answered",
);
const emailTaken = answer("The email address has an account already; sign in with it instead");

/** Schemas of `components.schemas` for sign-in. */
export const authSchemas = {
  Session: {
    type: "object",
    description: "The signed-in member, their tenant and role, and the session's CSRF token",
    required: ["tenant", "user", "role", "csrf"],
    properties: {
      tenant: {
        type: "object",
        properties: { id: { type: "string" }, name: { type: ["string", "null"] } },
      },
      user: {
        type: "object",
        properties: {
          id: { type: "string" },
          email: { type: "string" },
          role: ref("Role"),
        },
      },
      role: ref("Role"),
      csrf: {
        type: "string",
        description: "Send it as X-CSRF-Token (or the form field _csrf) with POST, PATCH, DELETE",
      },
    },
  },
};

/** The paths under `/auth`. */
export function authPaths(): Record<string, unknown> {
  return {
    "/auth/signup": {
      post: {
        summary: "Create an organisation (tenant) and its first owner, and sign in",
        security: [],
        requestBody: formOrJson(SignUpBody),
        responses: {
          "201": signedIn("Signed up and signed in; the session cookie is set"),
          "400": errors["400"],
          "403": otherSite,
          "409": emailTaken,
          "503": noSignIn,
        },
      },
    },
    "/auth/signin": {
      post: {
        summary: "Sign in with email and password",
        description:
          "A wrong address and a wrong password give the same 401. Failed sign-ins are limited per address and per client; over the limit the password is not checked and the answer is 429.",
        security: [],
        requestBody: formOrJson(SignInBody),
        responses: {
          "200": signedIn("Signed in; the session cookie is set"),
          "400": errors["400"],
          "401": answer("The email address or the password is wrong (the answer says not which)"),
          "403": otherSite,
          "429": {
            description: "Too many failed sign-ins; try again after Retry-After seconds",
            headers: {
              "Retry-After": {
                description: "Seconds to wait before trying again",
                schema: { type: "integer", minimum: 1 },
              },
            },
            content: { "application/json": { schema: ref("Error") } },
          },
          "503": noSignIn,
        },
      },
    },
    "/auth/signout": {
      post: {
        summary: "Sign out: end the session and forget the cookie",
        description:
          "With a live session the CSRF token is required (header X-CSRF-Token or form field _csrf). Without one there is nothing to end and the answer is 204 too.",
        security: [{ session: [] }, {}],
        parameters: [csrfParam],
        responses: {
          "204": noContent("Signed out; the cookie is deleted"),
          "403": answer(
            "The CSRF token is missing or wrong, or the request came from another origin",
          ),
          "503": noSignIn,
        },
      },
    },
    "/auth/session": {
      get: {
        summary: "Who is signed in with this cookie, and the session's CSRF token",
        security: [{ session: [] }],
        responses: {
          "200": answer("The session", ref("Session")),
          "401": answer("Not signed in (no cookie, or the session ended)"),
          "503": noSignIn,
        },
      },
    },
    "/auth/invites/accept": {
      post: {
        summary: "Join a tenant with an invite's token, as a new member, and sign in",
        description: "The member gets the role the invite was made with. An invite works once.",
        security: [],
        requestBody: formOrJson(AcceptInviteBody),
        responses: {
          "201": signedIn("Joined and signed in; the session cookie is set"),
          "400": answer(
            "The invite is unknown, used or expired, or a field is not valid; `problems` lists them",
          ),
          "403": otherSite,
          "409": emailTaken,
          "503": noSignIn,
        },
      },
    },
    "/auth/invite/{token}": {
      get: {
        summary: "The page an invite link opens: a form to join with email and password",
        security: [],
        parameters: [inviteToken],
        responses: { "200": page("The invite page") },
      },
      post: {
        summary: "The invite page's form: accept the invite as /auth/invites/accept does",
        security: [],
        parameters: [inviteToken],
        requestBody: {
          required: true,
          content: {
            "application/x-www-form-urlencoded": {
              schema: z.toJSONSchema(AcceptInviteBody.pick({ email: true, password: true })),
            },
          },
        },
        responses: {
          "303": {
            description:
              "Joined and signed in; the session cookie is set and the browser goes to /app",
            headers: setCookie,
          },
          "400": page("The invite page again, saying what went wrong"),
        },
      },
    },
  };
}
