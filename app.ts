/**
 * The HTTP app: the JSON API under `/api/v1` (bearer token → tenant), signed webhooks under
 * `/hooks`, and the OpenAPI document at `/api/openapi.json`. Every error is a JSON `{ error }`
 * sentence, never a stack trace. Tests call `app.request(...)`; `main.ts` serves it.
 *
 * @example
 * ```ts
 * const app = createApp({ engine, auth: staticTokens({ [Deno.env.get("PYXGEN_API_TOKEN")!]: "default" }) });
 * Deno.serve(app.fetch);
 * ```
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { apiRoutes } from "./routes/api.ts";
import type { AppDeps } from "./routes/deps.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { ApiError, errorResponse } from "./routes/http.ts";
import { openApiDocument } from "./routes/openapi.ts";
import { authRoutes } from "./web/auth_routes.ts";
import { dashboardRoutes } from "./web/dashboard.tsx";
import { errorPage, isPage, notFoundPage } from "./web/error_page.tsx";
import { staticRoutes } from "./web/static.ts";
import { UPLOADS_PATH } from "./web/uploads.ts";
import { securityHeaders } from "./web/security_headers.ts";

export type { AppDeps } from "./routes/deps.ts";
export { type Authenticator, staticTokens } from "./routes/auth.ts";

/** Largest request body accepted: a spec or a webhook payload, never bulk data. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Build the app over the engine and an authenticator. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const log = deps.log ?? ((line: string) => console.error(line));
  app.use("*", securityHeaders({ publicUrl: deps.publicUrl }));
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    },
  });
  // File uploads stream to disk under their own limit (web/uploads.ts); everything else is small.
  app.use("*", (c, next) => c.req.path.startsWith(UPLOADS_PATH) ? next() : limit(c, next));
  app.get("/api/openapi.json", (c) => c.json(openApiDocument()));
  app.route("/api/v1", apiRoutes(deps));
  app.route("/hooks", hookRoutes(deps));
  const auth = authRoutes(deps);
  app.route("/auth", auth);
  app.route("/static", staticRoutes());
  app.route("/", dashboardRoutes(deps, auth));
  app.notFound((c) =>
    isPage(c)
      ? notFoundPage(c)
      : c.json({ error: `There is nothing at ${c.req.method} ${c.req.path}.` }, 404)
  );
  app.onError((err, c) => isPage(c) ? errorPage(c, err, log) : errorResponse(c, err, log));
  return app;
}
