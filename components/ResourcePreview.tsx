/**
 * The preview of a transformation over the first rows of the source: a count line, problems of
 * the whole mapping, then each row — the FHIR resource as formatted JSON with its check beside
 * it ("Valid" or the reason it was rejected, with the FHIR element), or for normalize a table of
 * the output rows. Rendered on the page and, by itself, as the fragment the `mapping_preview`
 * island swaps in.
 * @module
 */
import type { Preview, PreviewItem } from "../web/wizard/transform_preview.ts";

const STAGE_WORDS: Record<string, string> = {
  read: "Could not be read",
  normalized: "A value did not fit its column",
  mapped: "Could not be mapped",
  valid: "Mapped, but not valid FHIR",
};

function Problem(props: { item: PreviewItem }) {
  const p = props.item.problem!;
  return (
    <div class="resource-check rejected">
      <p class="check-title">{STAGE_WORDS[p.stage] ?? "Rejected"}</p>
      {p.path && (
        <p>
          <code class="fhir-path">{p.path}</code>
        </p>
      )}
      <p>{p.message}</p>
    </div>
  );
}

/** The id of a previewed row's entry, for the links to rejected rows. */
const anchor = (kind: string, n: number) => `pv-${kind}-${n}`;

function Summary(props: { preview: Preview; noun: string; links: boolean }) {
  const { items, kept, kind } = props.preview;
  const rejected = items.filter((i) => i.problem);
  if (items.length === 0) return <p>The source has no rows to preview.</p>;
  return (
    <p class="preview-summary">
      <strong>{kept} of {items.length}</strong> preview rows became {props.noun}
      {rejected.length === 0 ? "." : (
        <>
          ; {rejected.length} could not be used
          {props.links
            ? (
              <>
                {" (rows "}
                {rejected.slice(0, 8).map((i, at) => (
                  <>
                    {at > 0 && ", "}
                    <a href={`#${anchor(kind, i.n)}`}>{i.n}</a>
                  </>
                ))}
                {rejected.length > 8 && " …"}
                {"): see why beside each."}
              </>
            )
            : "."}
        </>
      )}
    </p>
  );
}

function MappingProblems(props: { problems: readonly string[] }) {
  if (props.problems.length === 0) return null;
  return (
    <div class="alert alert-error" role="alert">
      <p>The pipeline would refuse to start with this mapping:</p>
      <ul class="plain">{props.problems.map((p) => <li key={p}>{p}</li>)}</ul>
    </div>
  );
}

/** The preview of FHIR resources. */
export function ResourcePreview(props: { preview: Preview; resource: string }) {
  const { preview, resource } = props;
  return (
    <div class="resource-preview">
      <Summary preview={preview} noun={`valid ${resource} resources`} links />
      <MappingProblems problems={preview.problems} />
      <ol class="resources">
        {preview.items.map((item) => (
          <li
            class={`resource${item.problem ? " is-rejected" : ""}`}
            id={anchor(preview.kind, item.n)}
          >
            <h4 class="resource-head">
              Row {item.n} <span class="muted">({item.where})</span>
            </h4>
            <div class="resource-body">
              {item.json
                ? (
                  <pre
                    class="resource-json"
                    tabIndex={0}
                    aria-label={`${resource} made from row ${item.n}`}
                  ><code>{item.json}</code></pre>
                )
                : <p class="resource-none">No resource was made from this row.</p>}
              {item.problem ? <Problem item={item} /> : (
                <div class="resource-check ok">
                  <p class="check-title">Valid FHIR R4 {resource}</p>
                </div>
              )}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The preview of normalized rows: a table, and the rows that could not be used. */
export function RowsPreview(props: { preview: Preview }) {
  const { preview } = props;
  const rejected = preview.items.filter((i) => i.problem);
  return (
    <div class="resource-preview">
      <Summary preview={preview} noun="clean rows" links={false} />
      <MappingProblems problems={preview.problems} />
      {preview.kept > 0 && (
        <div
          class="table-wrap preview-table"
          tabIndex={0}
          role="region"
          aria-label="Normalized rows"
        >
          <table>
            <thead>
              <tr>
                <th scope="col">Row</th>
                {preview.columns.map((c) => <th key={c} scope="col">{c}</th>)}
              </tr>
            </thead>
            <tbody>
              {preview.items.filter((i) => i.row).map((i) => (
                <tr>
                  <td>{i.n}</td>
                  {preview.columns.map((c) => (
                    <td>{i.row![c] == null ? "" : String(i.row![c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rejected.length > 0 && (
        <>
          <h4>Rows that could not be used</h4>
          <ul class="plain">
            {rejected.map((i) => <li key={i.n}>Row {i.n} ({i.where}): {i.problem!.message}</li>)}
          </ul>
        </>
      )}
    </div>
  );
}
