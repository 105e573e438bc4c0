/**
 * The preview of a source's first rows: one column per field with the type we inferred and a
 * select to choose another (saved as the draft's type overrides), the lines that could not be
 * used with their reason, or the sentence saying why nothing could be read.
 * @module
 */
import { Alert } from "../../components/ui.tsx";
import { sentence } from "../../components/schema_fields.ts";
import { COLUMN_TYPES, type ColumnType } from "../../etl/types.ts";
import type { Draft } from "./draft.ts";
import type { PreviewAnswer } from "./source_read.ts";

/** Column types in plain words. */
export const TYPE_WORDS: Record<ColumnType, string> = {
  string: "Text",
  integer: "Whole number",
  decimal: "Decimal number",
  boolean: "Yes / no",
  date: "Date",
  datetime: "Date and time",
  json: "JSON",
};

function cell(value: unknown): { text: string; full?: string; empty: boolean } {
  if (value === null || value === undefined || value === "") return { text: "empty", empty: true };
  const s = typeof value === "object" ? JSON.stringify(value) : String(value);
  return s.length > 60
    ? { text: `${s.slice(0, 57)}…`, full: s, empty: false }
    : { text: s, empty: false };
}

/** The preview section (inside the step's form, so the type choices post with Next). */
export function PreviewTable(props: { answer: PreviewAnswer; draft: Draft }) {
  const { answer } = props;
  if (!answer.ok) {
    return (
      <section class="preview" aria-labelledby="preview-title">
        <h2 id="preview-title" class="step-title">Preview</h2>
        <Alert kind="error">
          {answer.message.split("\n").map((line) => (
            <p class="flush">{sentence(line.replace(/^- /, ""))}</p>
          ))}
        </Alert>
      </section>
    );
  }
  const { columns, rows, types, rejected } = answer.preview;
  const overrides = props.draft.typeOverrides ?? {};
  return (
    <section class="preview" aria-labelledby="preview-title">
      <h2 id="preview-title" class="step-title">
        Preview: {rows.length === 1 ? "the first row" : `the first ${rows.length} rows`}
      </h2>
      <p class="help">
        {columns.length === 1 ? "1 column" : `${columns.length} columns`}. We guessed the type of
        each from these rows; if a guess is wrong, choose another type. Every row is checked against
        it when the pipeline runs.
      </p>
      {rejected.length > 0 && (
        <Alert kind="error">
          <p class="flush">
            {rejected.length === 1
              ? "1 line could not be used:"
              : `${rejected.length} lines could not be used:`}
          </p>
          <ul>
            {rejected.slice(0, 10).map((r, i) => <li key={i}>{sentence(r.reason)}</li>)}
          </ul>
        </Alert>
      )}
      <input type="hidden" name="types_inferred" value={JSON.stringify(types)} />
      {rows.length === 0 && columns.length === 0
        ? <p>There are no rows to show.</p>
        : (
          <div class="table-wrap preview-wrap" tabIndex={0} aria-labelledby="preview-title">
            <table class="preview-table">
              <thead>
                <tr>
                  <th scope="col" class="num">Row</th>
                  {columns.map((c, i) => {
                    const chosen = overrides[c] ?? types[c];
                    return (
                      <th scope="col">
                        <span class="col-name">{c}</span>
                        <label class="visually-hidden" for={`coltype-${i}`}>Type of {c}</label>
                        <select
                          id={`coltype-${i}`}
                          name={`type.${c}`}
                          class="col-type"
                          aria-describedby={chosen !== types[c] ? `coltype-${i}-was` : undefined}
                        >
                          {COLUMN_TYPES.map((t) => (
                            <option value={t} selected={t === chosen}>{TYPE_WORDS[t]}</option>
                          ))}
                        </select>
                        {chosen !== types[c] && (
                          <small class="col-was" id={`coltype-${i}-was`}>
                            We detected: {TYPE_WORDS[types[c]]}
                          </small>
                        )}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {rows.map((row, r) => (
                  <tr>
                    <td class="num">{r + 1}</td>
                    {columns.map((c) => {
                      const v = cell(row[c]);
                      return (
                        <td key={c} class={v.empty ? "empty" : undefined} title={v.full}>
                          {v.text}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}
