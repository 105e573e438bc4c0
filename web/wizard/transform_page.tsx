/**
 * The transformation step's page: the transformation as radio cards, one panel per choice (the
 * stylesheet shows the checked one's panel, so switching needs no reload and no script), the
 * FHIR mapping editors with their live previews, normalize's options, then the output format.
 * @module
 */
import { MappingEditor } from "../../components/MappingEditor.tsx";
import { Csrf } from "../../components/ui.tsx";
import type { Principal } from "../../routes/deps.ts";
import type { Draft } from "./draft.ts";
import { EDITORS, type FhirKind } from "./transform_elements.ts";
import type { TransformKind, TransformState } from "./transform_form.ts";
import { FormatSection, NormalizePanel } from "./transform_panels.tsx";
import { editorState, problemsByField } from "./transform_mapping.ts";
import { previewOf, PreviewPane, type Sample } from "./transform_preview_pane.tsx";
import { WizardButtons, WizardLayout } from "./WizardLayout.tsx";

const KIND_CARDS: { kind: TransformKind; title: string; text: string }[] = [
  {
    kind: "fhir-patient",
    title: "FHIR Patient",
    text: "Turn each row into a patient record: name, birth date, gender, address, identifiers.",
  },
  {
    kind: "fhir-immunization",
    title: "FHIR Immunization",
    text: "Turn each row into a vaccination record: vaccine, date given, patient.",
  },
  {
    kind: "normalize",
    title: "Clean up the rows",
    text: "Tidy column names, trim spaces, read numbers and dates; keep a table of rows.",
  },
  { kind: "none", title: "Keep rows as they are", text: "Copy every row unchanged." },
];

function FhirPanel(
  props: { kind: FhirKind; state: TransformState; draft: Draft; sample: Sample },
) {
  const { kind, state, sample } = props;
  const editor = EDITORS[kind];
  const edit = editorState(kind, state.fhir[kind], sample.columns);
  const errors = {
    ...problemsByField(kind, edit.problems),
    ...(state.kind === kind ? state.errors : {}),
  };
  return (
    <section
      class="card kind-panel"
      data-kind={kind}
      data-preview-kind={kind}
      aria-labelledby={`panel-${kind}`}
    >
      <h2 id={`panel-${kind}`}>Which column fills each part of the {editor.resource}?</h2>
      <p class="lead">
        Each row of your file becomes one{" "}
        {editor.resource}. Change a column and the preview beside it shows the result.
      </p>
      <div class="mapping-layout">
        <MappingEditor
          editor={editor}
          state={edit}
          columns={sample.columns}
          rows={sample.rows}
          errors={errors}
          blankRows={state.blankRows}
        />
        <PreviewPane
          kind={kind}
          preview={previewOf(kind, state, props.draft, sample)}
          rows={sample.rows.length}
        />
      </div>
    </section>
  );
}

/** Props of {@link TransformPage}. */
export interface TransformPageProps {
  principal: Principal;
  draft: Draft;
  sample: Sample;
  state: TransformState;
  error?: string;
}

/** The transformation step. */
export function TransformPage(props: TransformPageProps) {
  const { draft, state, sample } = props;
  const source = draft.upload?.name ??
    String(draft.spec.source?.path ?? draft.spec.source?.table ?? "your source");
  return (
    <WizardLayout
      principal={props.principal}
      draft={draft}
      step="transform"
      error={props.error}
      islands={["mapping_preview"]}
    >
      <form method="post" class="transform-form" data-island="mapping-preview">
        <Csrf token={props.principal.csrf} />
        <input type="hidden" name="blankRows" value={String(state.blankRows)} />
        <WizardButtons draft={draft} step="transform" />
        <section class="card" aria-labelledby="kind-title">
          <h2 id="kind-title">What should happen to each row?</h2>
          <p class="lead">
            {source}: {sample.columns.length} columns; the previews use its first{" "}
            {sample.rows.length} rows.
          </p>
          <fieldset class="bare">
            <legend class="visually-hidden">Transformation</legend>
            <div class="choices">
              {KIND_CARDS.map((k) => (
                <label class="choice">
                  <input
                    type="radio"
                    id={`kind-${k.kind}`}
                    name="kind"
                    value={k.kind}
                    checked={k.kind === state.kind}
                  />
                  <span>
                    {k.title}
                    <small>{k.text}</small>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        </section>
        <FhirPanel kind="fhir-patient" state={state} draft={draft} sample={sample} />
        <FhirPanel kind="fhir-immunization" state={state} draft={draft} sample={sample} />
        <NormalizePanel state={state} draft={draft} sample={sample} />
        <section class="card kind-panel" data-kind="none">
          <h2>Rows are kept as they are</h2>
          <p>Every row is written exactly as it was read, with its own column names.</p>
        </section>
        <FormatSection state={state} />
      </form>
    </WizardLayout>
  );
}
