/**
 * The transformation step's previews: computed for a kind from the step's state and the
 * sampled rows, and shown in a pane beside the editor. The same block is the fragment the
 * `mapping_preview` island swaps in.
 * @module
 */
import { ResourcePreview, RowsPreview } from "../../components/ResourcePreview.tsx";
import type { Draft } from "./draft.ts";
import { EDITORS, type FhirKind } from "./transform_elements.ts";
import { type TransformKind, transformOf, type TransformState } from "./transform_form.ts";
import { type Preview, previewTransform } from "./transform_preview.ts";
import type { SourceSample } from "./transform_sample.ts";

/** A sample that could be read. */
export type Sample = Extract<SourceSample, { ok: true }>;

/** The preview of `kind` for the state (also what the island's request gets back). */
export function previewOf(
  kind: TransformKind,
  state: TransformState,
  draft: Draft,
  sample: Sample,
): Preview | undefined {
  const step = transformOf({ ...state, kind }, draft);
  return step && previewTransform(step, sample.columns, sample.rows, sample.refs);
}

/** The preview block of `kind`, as the page and the island's fragment show it. */
export function PreviewBlock(props: { kind: TransformKind; preview?: Preview }) {
  if (!props.preview) return null;
  return props.kind === "normalize" ? <RowsPreview preview={props.preview} /> : (
    <ResourcePreview
      preview={props.preview}
      resource={EDITORS[props.kind as FhirKind].resource}
    />
  );
}

/** The preview of `kind` with its heading, live status line and no-script button. */
export function PreviewPane(props: { kind: TransformKind; preview?: Preview; rows: number }) {
  const id = `preview-${props.kind}`;
  return (
    <aside class="preview-pane" aria-labelledby={`${id}-title`}>
      <div class="preview-head">
        <h3 id={`${id}-title`}>Preview of the first {props.rows} rows</h3>
        <button type="submit" name="action" value="preview" class="secondary js-hide">
          Update the preview
        </button>
      </div>
      <p class="preview-status" role="status" data-preview-status={props.kind}></p>
      <div data-preview-for={props.kind}>
        <PreviewBlock kind={props.kind} preview={props.preview} />
      </div>
    </aside>
  );
}
