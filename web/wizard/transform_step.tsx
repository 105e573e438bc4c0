/**
 * Wizard step 2, "Transformation": what happens to each row (FHIR Patient or Immunization with a
 * mapping editor and a live preview, normalize, or nothing) and the output format. The form's
 * `action` says what was asked: `next` checks and saves `spec.transforms` and `spec.output`;
 * `preview` answers the preview (an HTML fragment for the `mapping_preview` island, which sends
 * `X-Wizard-Preview: 1`; the whole page otherwise); `preset` fills the mapping in from the chosen
 * preset; `more` offers more value-map rows. Only `next` saves.
 * @module
 */
import { renderToString } from "preact-render-to-string";
import { field, html } from "../page.ts";
import { furthest, saveDraft } from "./draft.ts";
import type { StepContext, WizardStepPage } from "./step.ts";
import { EDITORS, type FhirKind } from "./transform_elements.ts";
import {
  isValid,
  outputOf,
  stateFromDraft,
  stateFromForm,
  transformOf,
  type TransformState,
} from "./transform_form.ts";
import { TransformPage } from "./transform_page.tsx";
import { PreviewBlock, previewOf } from "./transform_preview_pane.tsx";
import { previewTransform } from "./transform_preview.ts";
import { sampleSource, type SourceSample } from "./transform_sample.ts";
import { stepUrl, WizardLayout } from "./WizardLayout.tsx";
import { Alert } from "../../components/ui.tsx";

/** The header the island sends with its preview requests. */
export const PREVIEW_HEADER = "X-Wizard-Preview";

function unreadable(ctx: StepContext, sample: Extract<SourceSample, { ok: false }>) {
  const { c, draft } = ctx;
  return html(
    c,
    <WizardLayout principal={c.get("principal")} draft={draft} step="transform">
      <Alert kind="error">
        <p>We could not read the first rows of your source, so there is nothing to map yet.</p>
        <p class="pre-line">{sample.message}</p>
        <p>
          <a href={stepUrl(draft, "source")}>Go back to the source step</a> and check it.
        </p>
      </Alert>
    </WizardLayout>,
    400,
  );
}

function page(
  ctx: StepContext,
  sample: Extract<SourceSample, { ok: true }>,
  state: TransformState,
  status: 200 | 400 = 200,
  error?: string,
) {
  const { c, draft } = ctx;
  return html(
    c,
    <TransformPage
      principal={c.get("principal")}
      draft={draft}
      sample={sample}
      state={state}
      error={error}
    />,
    status,
  );
}

/** The transformation step. */
export const transformStep: WizardStepPage = {
  async show(ctx) {
    const sample = await sampleSource(ctx.deps, ctx.draft);
    if (!sample.ok) return unreadable(ctx, sample);
    return page(ctx, sample, stateFromDraft(ctx.draft, sample.columns));
  },

  async submit(ctx, form) {
    const { c, deps, draft } = ctx;
    const sample = await sampleSource(deps, draft);
    if (!sample.ok) return unreadable(ctx, sample);
    const action = field(form, "action");
    const state = stateFromForm(form, sample.columns, stateFromDraft(draft, sample.columns));

    if (action === "preview" && c.req.header(PREVIEW_HEADER)) {
      const preview = previewOf(state.kind, state, draft, sample);
      c.header("Cache-Control", "no-store");
      return c.html(renderToString(<PreviewBlock kind={state.kind} preview={preview} />));
    }
    if (action === "preset" && state.kind.startsWith("fhir-")) {
      const kind = state.kind as FhirKind;
      const preset = field(form, `${EDITORS[kind].prefix}.preset`) === "generic"
        ? "generic"
        : "synthea";
      state.fhir = { ...state.fhir, [kind]: { ...state.fhir[kind], preset, mapping: {} } };
      return page(ctx, sample, { ...state, errors: {} });
    }
    if (action === "more") return page(ctx, sample, { ...state, blankRows: state.blankRows + 3 });
    if (action === "preview") return page(ctx, sample, state);

    const transform = transformOf(state, draft);
    // A mapping the run would refuse (a required column missing) is refused here already.
    const problems = transform
      ? previewTransform(transform, sample.columns, sample.rows, sample.refs).problems
      : [];
    if (!isValid(state) || problems.length > 0) {
      return page(
        ctx,
        sample,
        state,
        400,
        "Some settings need your attention: see the messages beside them below.",
      );
    }
    await saveDraft(deps.engine.kv, deps.engine.secrets, {
      ...draft,
      reached: furthest(draft.reached, "repository"),
      spec: { ...draft.spec, transforms: transform ? [transform] : [], output: outputOf(state) },
    });
    return c.redirect(stepUrl(draft, "repository"), 303);
  },
};
