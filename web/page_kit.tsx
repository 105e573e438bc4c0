/**
 * Small helpers shared by the run, pipeline and members pages: the 404 page inside the signed-in
 * layout, the notice a redirect after a successful form carries (`?done=…`), JSON for island
 * data blocks, and a "next page" link.
 * @module
 */
import type { Context } from "hono";
import { html, type PageEnv } from "./page.ts";
import { MessagePage } from "./pages/MessagePage.tsx";

/** A 404 page with the member's navigation, saying what was not found. */
export function missingPage(c: Context<PageEnv>, message: string): Response {
  return html(
    c,
    <MessagePage title="Not found" message={message} principal={c.get("principal")} />,
    404,
  );
}

/** The sentence for `?done=<key>` from `notices`, or undefined (unknown keys show nothing). */
export function doneNotice(
  c: Context<PageEnv>,
  notices: Record<string, string>,
): string | undefined {
  const key = c.req.query("done");
  return key && Object.hasOwn(notices, key) ? notices[key] : undefined;
}

/**
 * `value` as JSON safe inside `<script type="application/json">`: `<` is escaped so the text
 * can never close the element, whatever the data holds.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** A 1-based page number from `?page=` (1 when missing or not a positive whole number). */
export function pageNumber(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}
