/**
 * The source step's page: "Where is your data?" as radio cards from the extractors registry
 * (folded away once chosen), then the step's form with its sections (source_sections.tsx), the
 * preview of the first rows with a type per column, and Next.
 * @module
 */
import { Csrf } from "../../components/ui.tsx";
import { EXTRACTORS } from "../../etl/extract/mod.ts";
import type { Extractor } from "../../etl/types.ts";
import type { Principal } from "../../routes/deps.ts";
import type { Draft } from "./draft.ts";
import { hasTables, isFileType } from "./source_form.ts";
import { PreviewTable } from "./source_preview_table.tsx";
import {
  ConnectSection,
  FileSection,
  PreviewButton,
  type SourcePageProps,
  TablePicker,
} from "./source_sections.tsx";
import { stepUrl, WizardButtons, WizardLayout } from "./WizardLayout.tsx";

export type { SourcePageProps } from "./source_sections.tsx";

function TypeChoice(props: { principal: Principal; draft: Draft; entry?: Extractor }) {
  const current = props.entry?.type;
  const form = (
    <form method="post" action={stepUrl(props.draft, "source")}>
      <Csrf token={props.principal.csrf} />
      <fieldset class="bare">
        <legend class="visually-hidden">Type of data</legend>
        <div class="choices source-types">
          {EXTRACTORS.map((e) => (
            <label class="choice">
              <input
                type="radio"
                name="type"
                value={e.type}
                checked={e.type === current}
                required
              />
              <span>
                <strong>{e.title}</strong>
                <small>{e.description}</small>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div class="form-actions">
        <button type="submit" name="action" value="choose" class={current ? "secondary" : ""}>
          {current ? "Use this type of data" : "Continue"}
        </button>
      </div>
    </form>
  );
  if (!props.entry) {
    return (
      <div class="card">
        <h2 class="step-title">Where is your data?</h2>
        {form}
      </div>
    );
  }
  // Once chosen, the choice folds away: the rest of the page is about this type.
  return (
    <details class="card type-switch">
      <summary>
        <span>
          Where is your data? <strong>{props.entry.title}</strong>
        </span>
        <span class="change">Change</span>
      </summary>
      {form}
    </details>
  );
}
/** The source step's page. */
export function SourcePage(props: SourcePageProps) {
  const { draft, entry } = props;
  const file = isFileType(entry?.type);
  return (
    <WizardLayout
      principal={props.principal}
      draft={draft}
      step="source"
      error={props.error}
      islands={file ? ["upload"] : undefined}
    >
      <TypeChoice principal={props.principal} draft={draft} entry={entry} />
      {entry && (
        <form
          method="post"
          action={stepUrl(draft, "source")}
          enctype="multipart/form-data"
          class="card source-form"
        >
          <Csrf token={props.principal.csrf} />
          <WizardButtons draft={draft} step="source" />
          {file
            ? <FileSection {...props} entry={entry} />
            : <ConnectSection {...props} entry={entry} />}
          {hasTables(entry) && <TablePicker {...props} />}
          {!file && <PreviewButton>Show a preview</PreviewButton>}
          {props.preview && <PreviewTable answer={props.preview} draft={draft} />}
        </form>
      )}
    </WizardLayout>
  );
}
