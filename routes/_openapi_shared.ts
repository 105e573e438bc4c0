/**
 * Small builders shared by the parts of the OpenAPI document (`openapi.ts`): references,
 * answers, the usual errors, path and query parameters, and request bodies generated from the
 * zod schemas the routes check, so the document cannot drift from what the server accepts.
 * @module
 */
import { z } from "zod";

/** A reference to a schema of `components.schemas`. */
export const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/** A JSON content map for `schema`. */
export const json = (schema: unknown) => ({ "application/json": { schema } });

/** An answer with a JSON body (by default the `{ error, problems? }` of every failure). */
export const answer = (description: string, schema: unknown = ref("Error")) => ({
  description,
  content: json(schema),
});

/** An answer without a body (204). */
export const noContent = (description: string) => ({ description });

/** The failures most API routes share. */
export const errors = {
  "400": answer("The request is not valid; `problems` lists every problem"),
  "401": answer("Missing or wrong API token, and no live session cookie"),
  "404": answer("No such object for this tenant"),
};

/** A required string path parameter. */
export const idParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

/** The `X-CSRF-Token` header parameter (`components.parameters.CsrfToken`). */
export const csrfParam = { $ref: "#/components/parameters/CsrfToken" };

/** The `components.parameters.CsrfToken` definition that {@link csrfParam} points to. */
export const csrfParameter = {
  name: "X-CSRF-Token",
  in: "header",
  required: false,
  description:
    "Required on POST, PATCH and DELETE when the request is signed in with the `pyx_session` cookie: the session's CSRF token, as the sign-in answer and GET /auth/session give it. Not needed with a bearer token.",
  schema: { type: "string" },
};

/**
 * The 403 of a route behind `requireRole(...)`: `who` may call it. Routes that change
 * something (`unsafe`) also refuse a cookie-signed request without its CSRF token.
 */
export const denied = (who: string, unsafe = true) =>
  answer(
    unsafe
      ? `Only ${who} may do this (the answer names your role), or the request is signed in with the session cookie and lacks its X-CSRF-Token header or comes from another origin`
      : `Only ${who} may do this; the answer names your role`,
  );

/** A request body from the zod schema the route checks (optional unless spread over). */
export const body = (schema: z.ZodType) => ({
  required: false,
  content: json(z.toJSONSchema(schema)),
});

/**
 * Query parameters from the zod schema the route checks, one per property, as the client
 * sends them (defaults shown, not required).
 */
export function queryParams(schema: z.ZodObject): Record<string, unknown>[] {
  const generated = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: Record<string, { description?: string }>;
    required?: string[];
  };
  return Object.entries(generated.properties ?? {}).map(([name, { description, ...rest }]) => ({
    name,
    in: "query",
    required: generated.required?.includes(name) ?? false,
    ...(description ? { description } : {}),
    schema: rest,
  }));
}
