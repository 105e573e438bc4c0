/**
 * The page answering a refused dashboard request (expired form, role too low).
 * @module
 */
import type { Context } from "hono";
import { html, type PageEnv } from "./page.ts";
import { MessagePage } from "./pages/MessagePage.tsx";

/** A 403 page saying why. */
export function refusedPage(c: Context, message: string): Response {
  const principal = (c as Context<PageEnv>).get("principal");
  return html(c, <MessagePage title="Not allowed" message={message} principal={principal} />, 403);
}
