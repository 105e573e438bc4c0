/**
 * Wizard step "review". Filled in by the dashboard work of issue 6.
 * @module
 */
import { html } from "../page.ts";
import type { WizardStepPage } from "./step.ts";
import { WizardButtons, WizardLayout } from "./WizardLayout.tsx";

/** The review step. */
export const reviewStep: WizardStepPage = {
  show({ c, draft }) {
    return html(
      c,
      <WizardLayout principal={c.get("principal")} draft={draft} step="review">
        <form method="post">
          <input type="hidden" name="_csrf" value={c.get("principal").csrf} />
          <p>Not built yet.</p>
          <WizardButtons draft={draft} step="review" />
        </form>
      </WizardLayout>,
    );
  },
  submit({ c, draft }) {
    return Promise.resolve(c.redirect(`/app/pipelines/new/${draft.id}/review`, 303));
  },
};
