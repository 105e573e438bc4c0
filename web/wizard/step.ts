/**
 * What each wizard step module provides: a page for the step, and what happens when its form is
 * posted (check, save the draft, go on — or show the form again with errors beside the fields).
 * @module
 */
import type { Context } from "hono";
import type { AppDeps } from "../../routes/deps.ts";
import type { PageEnv } from "../page.ts";
import type { Draft } from "./draft.ts";

/** What a step's handlers receive. */
export interface StepContext {
  c: Context<PageEnv>;
  deps: AppDeps;
  draft: Draft;
}

/** One wizard step. */
export interface WizardStepPage {
  /** The step's page. */
  show(ctx: StepContext): Response | Promise<Response>;
  /** The step's form was posted (form fields parsed, `_csrf` already checked). */
  submit(
    ctx: StepContext,
    form: Record<string, string | File | (string | File)[]>,
  ): Promise<Response>;
}
