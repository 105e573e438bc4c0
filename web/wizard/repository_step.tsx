/**
 * Wizard step "repository". Filled in by the dashboard work of issue 6.
 * @module
 */
import { html } from "../page.ts";
import type { WizardStepPage } from "./step.ts";
import { WizardButtons, WizardLayout } from "./WizardLayout.tsx";

/** The repository step. */
export const repositoryStep: WizardStepPage = {
  show({ c, draft }) {
    return html(
      c,
      <WizardLayout principal={c.get("principal")} draft={draft} step="repository">
        <form method="post">
          <input type="hidden" name="_csrf" value={c.get("principal").csrf} />
          <p>Not built yet.</p>
          <WizardButtons draft={draft} step="repository" />
        </form>
      </WizardLayout>,
    );
  },
  submit({ c, draft }) {
    return Promise.resolve(c.redirect(`/app/pipelines/new/${draft.id}/repository`, 303));
  },
};
