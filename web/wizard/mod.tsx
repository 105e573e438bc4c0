/**
 * The new-pipeline wizard under `/app/pipelines/new` (editors and owners): `GET /` starts a
 * draft, `GET /:draft/:step` shows a step, `POST /:draft/:step` submits it. Steps are an
 * explicit list; each is a module of its own.
 * @module
 */
import { type Context, Hono } from "hono";
import type { AppDeps } from "../../routes/deps.ts";
import { refusedPage } from "../refused.tsx";
import { html, type PageEnv, pageRole } from "../page.ts";
import { MessagePage } from "../pages/MessagePage.tsx";
import { analyticsStep } from "./analytics_step.tsx";
import { getDraft, newDraft, WIZARD_STEPS, type WizardStep } from "./draft.ts";
import { repositoryStep } from "./repository_step.tsx";
import { reviewStep } from "./review_step.tsx";
import { sourceStep } from "./source_step.tsx";
import type { WizardStepPage } from "./step.ts";
import { transformStep } from "./transform_step.tsx";

/** The steps, by name. */
export const STEPS: Record<WizardStep, WizardStepPage> = {
  source: sourceStep,
  transform: transformStep,
  repository: repositoryStep,
  analytics: analyticsStep,
  review: reviewStep,
};

/** The wizard routes. */
export function wizardRoutes(deps: AppDeps): Hono<PageEnv> {
  const wizard = new Hono<PageEnv>();
  const kv = deps.engine.kv;
  wizard.use("*", pageRole("editor", refusedPage));

  wizard.get("/", async (c) => {
    const p = c.get("principal");
    const draft = await newDraft(kv, p.tenant, p.userId ?? p.label);
    return c.redirect(`/app/pipelines/new/${draft.id}/source`, 303);
  });

  const load = async (tenant: string, id: string, step: string) => {
    const draft = await getDraft(kv, tenant, id);
    const known = (WIZARD_STEPS as readonly string[]).includes(step);
    return draft && known ? { draft, step: step as WizardStep } : undefined;
  };
  const missing = (c: Context<PageEnv>) =>
    html(
      c,
      <MessagePage
        title="Not found"
        message="This draft does not exist or has expired (drafts are kept for 7 days). Start a new pipeline."
        principal={c.get("principal")}
      />,
      404,
    );

  wizard.get("/:draft/:step", async (c) => {
    const found = await load(c.get("tenant"), c.req.param("draft"), c.req.param("step"));
    if (!found) return missing(c);
    return await STEPS[found.step].show({ c, deps, draft: found.draft });
  });

  wizard.post("/:draft/:step", async (c) => {
    const found = await load(c.get("tenant"), c.req.param("draft"), c.req.param("step"));
    if (!found) return missing(c);
    const form = await c.req.parseBody({ all: true });
    return await STEPS[found.step].submit({ c, deps, draft: found.draft }, form);
  });
  return wizard;
}
