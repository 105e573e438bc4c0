/**
 * The FHIR mapping editor: the preset, each FHIR element with a select of the source's columns
 * (each column shown with an example value), the patient's identifiers, and value maps as
 * editable rows with a line saying how the values found in the file come out. No <form>: the
 * transformation step puts it in its own, and the `mapping_preview` island re-posts it when a
 * select changes.
 * @module
 */
import type { Row } from "../etl/types.ts";
import { IDENTIFIER_TYPES } from "../fhir/terminology.ts";
import type { EditorSpec, ElementField } from "../web/wizard/transform_elements.ts";
import { ValueMapRows } from "./ValueMapRows.tsx";
import { type EditorState, names } from "../web/wizard/transform_mapping.ts";

/** Props of {@link MappingEditor}. */
export interface MappingEditorProps {
  editor: EditorSpec;
  state: EditorState;
  columns: readonly string[];
  /** Sample rows, for example values and the value maps' hints. */
  rows: readonly Row[];
  /** Sentences by form field name. */
  errors: Record<string, string>;
  /** Empty rows offered under each value map. */
  blankRows: number;
}

const idOf = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, "-");

function example(rows: readonly Row[], column: string): string | undefined {
  for (const row of rows) {
    const v = row[column];
    if (v !== null && v !== undefined && String(v).trim() !== "") {
      const s = String(v).trim();
      return s.length > 24 ? `${s.slice(0, 23)}…` : s;
    }
  }
  return undefined;
}

/** A select of the source's columns, "not mapped" first. */
function ColumnSelect(
  props: {
    name: string;
    value?: string;
    columns: readonly string[];
    rows: readonly Row[];
    describedBy?: string;
    invalid?: boolean;
    label?: string;
  },
) {
  return (
    <select
      id={idOf(props.name)}
      name={props.name}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid ? "true" : undefined}
      aria-label={props.label}
    >
      <option value="" selected={!props.value}>— not mapped —</option>
      {props.columns.map((c) => {
        const e = example(props.rows, c);
        return (
          <option key={c} value={c} selected={c === props.value}>
            {e ? `${c} (e.g. ${e})` : c}
          </option>
        );
      })}
    </select>
  );
}

function ElementRow(
  props: { p: string; field: ElementField } & Omit<MappingEditorProps, "editor" | "blankRows">,
) {
  const { p, field: f, state } = props;
  const name = names.element(p, f.key, f.index);
  const raw = state.resolved[f.key];
  // A list element may be mapped to one column (a string): that is its first position.
  const value = Array.isArray(raw)
    ? raw[f.index ?? 0]
    : typeof raw === "string" && !f.index
    ? raw
    : undefined;
  const error = props.errors[name];
  const id = idOf(name);
  const describedBy = [f.help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class={`map-row${error ? " invalid" : ""}`}>
      <label for={id}>
        {f.label}
        <code class="fhir-path">{f.path}</code>
      </label>
      <div>
        <ColumnSelect
          name={name}
          value={value as string | undefined}
          columns={props.columns}
          rows={props.rows}
          describedBy={describedBy || undefined}
          invalid={Boolean(error)}
        />
        {f.help && <p class="help" id={`${id}-help`}>{f.help}</p>}
        {error && <p class="error" id={`${id}-error`}>{error}</p>}
      </div>
    </div>
  );
}

function Identifiers(props: Omit<MappingEditorProps, "blankRows">) {
  const p = props.editor.prefix;
  const list = (props.state.resolved.identifier ?? []) as {
    column: string;
    system: string;
    type?: string;
  }[];
  const rows = [...list, { column: "", system: "", type: "" }];
  return (
    <fieldset class="map-group">
      <legend>
        Identifiers · <code class="fhir-path">Patient.identifier</code>
      </legend>
      <p class="help">
        Numbers that identify the patient elsewhere (record number, SSN). The system says whose
        number it is.
      </p>
      <div class="table-wrap">
        <table class="identifiers">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">System (who issues the number)</th>
              <th scope="col">Kind of number</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const n = i + 1;
              const error = props.errors[names.identifier(p, i, "column")];
              return (
                <tr>
                  <td data-label="Column">
                    <ColumnSelect
                      name={names.identifier(p, i, "column")}
                      value={r.column}
                      columns={props.columns}
                      rows={props.rows}
                      label={`Identifier ${n}: column`}
                      invalid={Boolean(error)}
                    />
                    {error && <p class="error">{error}</p>}
                  </td>
                  <td data-label="System">
                    <input
                      type="text"
                      name={names.identifier(p, i, "system")}
                      value={r.system}
                      aria-label={`Identifier ${n}: system`}
                      spellcheck={false}
                    />
                  </td>
                  <td data-label="Kind of number">
                    <select
                      name={names.identifier(p, i, "type")}
                      aria-label={`Identifier ${n}: kind`}
                    >
                      <option value="" selected={!r.type}>Not said</option>
                      {Object.values(IDENTIFIER_TYPES).map((t) => (
                        <option value={t.code} selected={t.code === r.type}>{t.display}</option>
                      ))}
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}

/** The mapping editor of one FHIR resource. */
export function MappingEditor(props: MappingEditorProps) {
  const { editor, state } = props;
  const p = editor.prefix;
  const presetName = names.preset(p);
  return (
    <div class="mapping-editor">
      <fieldset class="map-group">
        <legend>Start from</legend>
        <div class="choices compact">
          <label class="choice">
            <input
              type="radio"
              name={presetName}
              value="synthea"
              checked={state.config.preset === "synthea"}
              data-autosubmit="preset"
            />
            <span>
              Synthea columns
              <small>For files exported by the Synthea patient generator</small>
            </span>
          </label>
          <label class="choice">
            <input
              type="radio"
              name={presetName}
              value="generic"
              checked={state.config.preset === "generic"}
              data-autosubmit="preset"
            />
            <span>
              Suggested from your column names
              <small>Columns such as MRN, First Name, DOB or Sex are recognised</small>
            </span>
          </label>
        </div>
        <button type="submit" name="action" value="preset" class="secondary js-hide">
          Fill in the columns from this choice
        </button>
        <div class="field check">
          <div class="check-row">
            <input
              type="checkbox"
              id={`${p}-dayFirst`}
              name={names.dayFirst(p)}
              value="true"
              checked={state.config.dayFirst}
            />
            <label for={`${p}-dayFirst`}>Dates are written day first (31/12/1980)</label>
          </div>
        </div>
      </fieldset>
      {props.errors[""] && <div class="alert alert-error" role="alert">{props.errors[""]}</div>}
      {editor.groups.map((g, gi) => (
        <>
          <fieldset class="map-group">
            <legend>{g.title}</legend>
            {g.fields.map((f) => (
              <ElementRow key={`${f.key}.${f.index ?? ""}`} p={p} field={f} {...props} />
            ))}
          </fieldset>
          {gi === 0 && editor.identifiers && <Identifiers {...props} />}
        </>
      ))}
      {editor.maps.map((map) => <ValueMapRows key={map.name} p={p} map={map} {...props} />)}
      <button type="submit" name="action" value="more" class="secondary">
        Add more value rows
      </button>
    </div>
  );
}
