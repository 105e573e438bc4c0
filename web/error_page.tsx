/**
 * Errors on dashboard pages: a page with a sentence, never a stack trace. API paths keep their
 * JSON errors (routes/http.ts).
 * @module
 */
import type { Context } from "hono";
import { ConfigError, RetriableError } from "../etl/errors.ts";
import { ApiError } from "../routes/http.ts";
import { html } from "./page.ts";
import { MessagePage } from "./pages/MessagePage.tsx";

/** Whether the request is for a dashboard page rather than the JSON API or a webhook. */
export function isPage(c: Context): boolean {
  const path = c.req.path;
  return !path.startsWith("/api/") && !path.startsWith("/hooks/") && !path.startsWith("/auth/") ||
    path.startsWith("/auth/invite/");
}

/** The 404 page. */
export function notFoundPage(c: Context): Response {
  return html(
    c,
    <MessagePage title="Not found" message={`There is nothing at ${c.req.path}.`} />,
    404,
  );
}

/** Any error thrown on a page, as a page; unexpected ones are logged, not shown. */
export function errorPage(c: Context, err: unknown, log: (line: string) => void): Response {
  if (err instanceof ApiError && err.status === 404) {
    return html(c, <MessagePage title="Not found" message={err.message} />, 404);
  }
  if (err instanceof ApiError || err instanceof ConfigError || err instanceof RetriableError) {
    return html(c, <MessagePage title="That did not work" message={err.message} />, 400);
  }
  log(`${c.req.method} ${c.req.path} failed: ${String(err)}`);
  return html(
    c,
    <MessagePage
      title="Something went wrong"
      message="Something went wrong on our side; try again in a minute."
    />,
    500,
  );
}
