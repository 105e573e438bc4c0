/**
 * Two parts of the transformation step's page: the normalize panel (column names, dates, empty
 * values, the column types chosen on step 1, and a preview table) and the output format with
 * its options (generated from each format's config).
 * @module
 */
import { SchemaForm } from "../../components/SchemaForm.tsx";
import { FORMATS } from "../../etl/format/mod.ts";
import type { Draft } from "./draft.ts";
import { type TransformState, typesOf } from "./transform_form.ts";
import { previewOf, PreviewPane, type Sample } from "./transform_preview_pane.tsx";
import { stepUrl } from "./WizardLayout.tsx";

/** Normalize's options and preview. */
export function NormalizePanel(props: { state: TransformState; draft: Draft; sample: Sample }) {
  const n = props.state.normalize;
  const types = Object.entries(typesOf(props.draft));
  return (
    <section
      class="card kind-panel"
      data-kind="normalize"
      data-preview-kind="normalize"
      aria-labelledby="panel-normalize"
    >
      <h2 id="panel-normalize">How should the rows be cleaned up?</h2>
      <div class="grid">
        <div class="field">
          <label for="norm-fieldNames">Column names</label>
          <select id="norm-fieldNames" name="norm.fieldNames">
            <option value="snake_case" selected={n.fieldNames === "snake_case"}>
              Lower case with underscores (First Name → first_name)
            </option>
            <option value="lower" selected={n.fieldNames === "lower"}>
              Lower case (First Name → first name)
            </option>
            <option value="keep" selected={n.fieldNames === "keep"}>Keep them as they are</option>
          </select>
        </div>
        <div class="field">
          <label for="norm-dateOrder">Dates like 03/04/2020</label>
          <select id="norm-dateOrder" name="norm.dateOrder">
            <option value="mdy" selected={n.dateOrder === "mdy"}>
              Month first (March 4, 2020)
            </option>
            <option value="dmy" selected={n.dateOrder === "dmy"}>Day first (3 April 2020)</option>
          </select>
        </div>
        <div class="field">
          <label for="norm-nullTokens">Also treat these as empty</label>
          <input
            id="norm-nullTokens"
            name="norm.nullTokens"
            type="text"
            value={n.nullTokens.join(", ")}
            aria-describedby="norm-nullTokens-help"
          />
          <p class="help" id="norm-nullTokens-help">
            Separate them with commas. Empty cells are always empty.
          </p>
        </div>
        <div class="field check">
          <div class="check-row">
            <input id="norm-trim" name="norm.trim" type="checkbox" value="true" checked={n.trim} />
            <label for="norm-trim">Remove spaces around values</label>
          </div>
        </div>
      </div>
      <h3>Column types</h3>
      {types.length > 0
        ? (
          <p>
            You chose these on step 1: {types.map(([c, t], i) => (
              <span>
                {i > 0 && ", "}
                <strong>{c}</strong> as {t}
              </span>
            ))}. Other columns get the type their values show.{" "}
            <a href={stepUrl(props.draft, "source")}>Change them on step 1</a>
          </p>
        )
        : (
          <p>
            Each column gets the type its values show (numbers, dates, yes/no).{" "}
            <a href={stepUrl(props.draft, "source")}>Set types yourself on step 1</a>
          </p>
        )}
      <PreviewPane
        kind="normalize"
        preview={previewOf("normalize", props.state, props.draft, props.sample)}
        rows={props.sample.rows.length}
      />
    </section>
  );
}

/** The output format cards and each format's options. */
export function FormatSection(props: { state: TransformState }) {
  const { state } = props;
  return (
    <section class="card" aria-labelledby="format-title">
      <h2 id="format-title">Output format</h2>
      <p class="lead">The kind of file written. Databases take the rows directly and ignore it.</p>
      <fieldset class="bare">
        <legend class="visually-hidden">Output format</legend>
        <div class="choices">
          {FORMATS.map((f) => (
            <label class="choice">
              <input
                type="radio"
                id={`format-${f.type}`}
                name="format"
                value={f.type}
                checked={f.type === state.format}
              />
              <span>
                {f.title}
                <small>{f.description}</small>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {state.errors.format && <p class="error">{state.errors.format}</p>}
      {FORMATS.map((f) => (
        <div class="format-options" data-format={f.type}>
          <SchemaForm
            entry={f}
            prefix={`fmt.${f.type}.`}
            values={state.formatValues[f.type] ?? {}}
            problems={f.type === state.format ? state.formatProblems : []}
            primary={["dialect"]}
            moreLabel={`${f.title} options`}
          />
        </div>
      ))}
    </section>
  );
}
