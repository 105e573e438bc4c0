/**
 * A value map of the FHIR mapping editor as editable rows ("value in your file" → "becomes"),
 * under a line saying how the values found in the preview rows come out with the defaults and
 * the rows given, so a data manager sees at once which values still need a row.
 * @module
 */
import type { Row } from "../etl/types.ts";
import { createValueMap } from "../fhir/value_map.ts";
import type { ValueMapSpec } from "../web/wizard/transform_elements.ts";
import { type EditorState, names } from "../web/wizard/transform_mapping.ts";

/** Props of {@link ValueMapRows}. */
export interface ValueMapRowsProps {
  /** Form field prefix of the editor. */
  p: string;
  map: ValueMapSpec;
  state: EditorState;
  /** Sample rows, for the hint. */
  rows: readonly Row[];
  errors: Record<string, string>;
  blankRows: number;
}

const codeLabel = (map: ValueMapSpec, code: string) => {
  const display = map.targets?.[code];
  return display && display !== code ? `${display} (${code})` : code;
};

/** "In your file: M → male, F → female, X → not recognised". */
function ValuesHint(
  props: {
    map: ValueMapSpec;
    column?: string;
    entries: Record<string, string>;
    rows: readonly Row[];
  },
) {
  if (!props.column) {
    return <p class="help">No column is mapped to {props.map.label.toLowerCase()} yet.</p>;
  }
  const seen = [
    ...new Set(
      props.rows.map((r) => r[props.column!]).filter((v) => v != null && String(v).trim() !== "")
        .map(String),
    ),
  ];
  if (seen.length === 0) {
    return <p class="help">The preview rows have no {props.map.label.toLowerCase()} values.</p>;
  }
  const lookup = createValueMap(props.map.defaults, props.entries);
  return (
    <p class="help values-hint">
      In the preview rows ({props.column}): {seen.slice(0, 10).map((v, i) => {
        const code = lookup.get(v);
        return (
          <span>
            {i > 0 && ", "}
            <q>{v}</q> → {code ? codeLabel(props.map, code) : <strong>not recognised</strong>}
          </span>
        );
      })}
      {seen.length > 10 && ` and ${seen.length - 10} more`}
    </p>
  );
}

/** One value map's rows. */
export function ValueMapRows(props: ValueMapRowsProps) {
  const { p, map } = props;
  const entries = props.state.config.valueMaps[map.name] ?? {};
  const rows = [...Object.entries(entries), ...Array(props.blankRows).fill(["", ""])];
  const column = props.state.resolved[map.element];
  return (
    <fieldset class="map-group value-map">
      <legend>{map.label} values</legend>
      <ValuesHint
        map={map}
        column={typeof column === "string" ? column : undefined}
        entries={entries}
        rows={props.rows}
      />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Value in your file</th>
              <th scope="col">Becomes</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([from, to], i) => {
              const n = i + 1;
              const toName = names.mapTo(p, map.name, i);
              const error = props.errors[toName];
              return (
                <tr class={error ? "invalid" : undefined}>
                  <td>
                    <input
                      type="text"
                      name={names.mapFrom(p, map.name, i)}
                      value={from}
                      aria-label={`${map.label} row ${n}: value in your file`}
                      spellcheck={false}
                    />
                  </td>
                  <td>
                    {map.targets
                      ? (
                        <select
                          name={toName}
                          aria-label={`${map.label} row ${n}: becomes`}
                          aria-invalid={error ? "true" : undefined}
                        >
                          <option value="" selected={!to}>— choose —</option>
                          {Object.keys(map.targets).map((code) => (
                            <option value={code} selected={code === to}>
                              {codeLabel(map, code)}
                            </option>
                          ))}
                        </select>
                      )
                      : (
                        <input
                          type="text"
                          name={toName}
                          value={to}
                          aria-label={`${map.label} row ${n}: becomes`}
                          aria-invalid={error ? "true" : undefined}
                        />
                      )}
                    {error && <p class="error">{error}</p>}
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
