/**
 * The frame of every wizard step: the step list (steps reached are links, so going back keeps
 * what was entered), the step's form, and Back / Next buttons.
 * @module
 */
import type { ComponentChildren } from "preact";
import { Layout } from "../../components/Layout.tsx";
import { Alert } from "../../components/ui.tsx";
import type { Principal } from "../../routes/deps.ts";
import { type Draft, STEP_TITLES, WIZARD_STEPS, type WizardStep } from "./draft.ts";

/** The URL of a draft's step. */
export const stepUrl = (draft: Pick<Draft, "id">, step: WizardStep) =>
  `/app/pipelines/new/${draft.id}/${step}`;

/** Props of {@link WizardLayout}. */
export interface WizardLayoutProps {
  principal: Principal;
  draft: Draft;
  step: WizardStep;
  /** A sentence about the whole step (field errors go beside their fields). */
  error?: string;
  notice?: string;
  islands?: string[];
  children: ComponentChildren;
}

/** A wizard page. */
export function WizardLayout(props: WizardLayoutProps) {
  const at = WIZARD_STEPS.indexOf(props.step);
  const reached = WIZARD_STEPS.indexOf(props.draft.reached);
  return (
    <Layout
      title={`New pipeline: ${STEP_TITLES[props.step]}`}
      principal={props.principal}
      active="new"
      islands={props.islands}
    >
      <h1>New pipeline</h1>
      <ol class="steps" aria-label="Steps">
        {WIZARD_STEPS.map((s, i) => (
          <li aria-current={i === at ? "step" : undefined} class={i < at ? "done" : undefined}>
            {i <= reached && i !== at
              ? <a href={stepUrl(props.draft, s)}>{STEP_TITLES[s]}</a>
              : STEP_TITLES[s]}
          </li>
        ))}
      </ol>
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.children}
    </Layout>
  );
}

/**
 * Back and Next (the step's form posts to its own URL; `next` names the button's action). Put it
 * first in the step's form: the keyboard then reaches Next in a few Tabs however long the step
 * is (and Enter in a field means Next), while the stylesheet keeps it at the form's bottom,
 * pinned to the window's lower edge.
 */
export function WizardButtons(props: { draft: Draft; step: WizardStep; nextLabel?: string }) {
  const at = WIZARD_STEPS.indexOf(props.step);
  return (
    <div class="form-actions wizard-actions">
      {at > 0 && (
        <a class="button secondary" href={stepUrl(props.draft, WIZARD_STEPS[at - 1])}>Back</a>
      )}
      <button type="submit" name="action" value="next">{props.nextLabel ?? "Next"}</button>
    </div>
  );
}
