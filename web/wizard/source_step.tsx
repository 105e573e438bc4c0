/**
 * Wizard step 1, "Where is your data?". The type of data is chosen first (its own small form);
 * then the step's form gives the file, or the saved connection / settings and table. Every post
 * saves the draft (secrets sealed, an empty secret keeps the saved one), then does what its
 * button asks: `test` (Test connection, answer beside the form), `preview` (first 20 rows with
 * their inferred types), or `next` (settings checked, pipeline name defaulted, on to the
 * transformation step). On GET a complete source is previewed again, so Back loses nothing.
 * @module
 */
import { lastValue, type PostedForm } from "../../components/schema_form_read.ts";
import { listConnections } from "../../connections/mod.ts";
import { extractors } from "../../etl/extract/mod.ts";
import type { Extractor } from "../../etl/types.ts";
import { html } from "../page.ts";
import { inputRootOf, listUploads } from "../uploads.ts";
import { type Draft, DRAFT_TTL_MS, draftKey, furthest, saveDraft } from "./draft.ts";
import {
  defaultName,
  hasTables,
  isFileType,
  readSourceForm,
  sourceIdentity,
  typeOverridesOf,
} from "./source_form.ts";
import { type PreviewAnswer, previewSource, tablesOf, testSource } from "./source_read.ts";
import { SourcePage, type SourcePageProps } from "./source_view.tsx";
import type { StepContext, WizardStepPage } from "./step.ts";
import { stepUrl } from "./WizardLayout.tsx";

type Extra = Partial<Pick<SourcePageProps, "answer" | "tables" | "preview" | "error">> & {
  problems?: string[];
  echo?: Record<string, unknown>;
};

/** The draft's source entry, when a type was chosen. */
const entryOf = (draft: Draft): Extractor | undefined =>
  extractors.get(String(draft.spec.source?.type ?? ""));

const usesConnection = (source: Record<string, unknown> | undefined) =>
  typeof source?.connection === "string";

/** Whether the draft's source says what to read (so a preview can be tried without asking). */
function complete(entry: Extractor, source: Record<string, unknown>): boolean {
  if (isFileType(entry.type)) return typeof source.path === "string";
  if (hasTables(entry)) return source.table !== undefined || source.query !== undefined;
  return false;
}

async function render(
  { c, deps, draft }: StepContext,
  extra: Extra = {},
  status: 200 | 400 = 200,
): Promise<Response> {
  const entry = entryOf(draft);
  const tenant = draft.tenant;
  const [uploads, connections] = await Promise.all([
    entry && isFileType(entry.type) ? listUploads(inputRootOf(deps, tenant)) : [],
    entry && deps.vault ? listConnections(deps.engine.kv, tenant) : [],
  ]);
  const previewProblems = extra.preview && !extra.preview.ok ? extra.preview.problems : [];
  return html(
    c,
    <SourcePage
      principal={c.get("principal")}
      draft={draft}
      entry={entry}
      values={{ ...draft.spec.source, ...extra.echo }}
      problems={[...(extra.problems ?? []), ...previewProblems]}
      uploads={uploads}
      connections={connections.filter((r) => r.kind === "source" && r.type === entry?.type)}
      answer={extra.answer}
      tables={extra.tables}
      preview={extra.preview}
      error={extra.error}
    />,
    status,
  );
}

/** The draft with a new type of data chosen (settings of another type are dropped). */
function withType(draft: Draft, type: string, hasSaved: boolean): Draft {
  if (draft.spec.source?.type === type) return draft;
  const mode = isFileType(type) ? "upload" : hasSaved ? "connection" : "settings";
  return {
    ...draft,
    spec: { ...draft.spec, source: { type } },
    sourceMode: mode,
    upload: undefined,
    typeOverrides: undefined,
  };
}

/**
 * What stops Next: no file, no table, settings that are not valid, or a source that cannot be
 * read (its sentence shows where the preview goes).
 */
async function nextCheck(
  ctx: StepContext,
  entry: Extractor,
): Promise<{ problems: string[]; preview?: PreviewAnswer }> {
  const { deps, draft } = ctx;
  const source = draft.spec.source ?? {};
  if (isFileType(entry.type) && !draft.upload) {
    return { problems: ["file: Upload a file, or choose one uploaded before."] };
  }
  if (hasTables(entry) && source.table === undefined && source.query === undefined) {
    return { problems: ["table: Choose the table to read (Test connection lists them)."] };
  }
  const preview = await previewSource(deps, draft.tenant, source);
  if (preview.ok) return { problems: [] };
  return preview.problems.length > 0 ? { problems: preview.problems } : { problems: [], preview };
}

/** The source step. */
export const sourceStep: WizardStepPage = {
  async show(ctx) {
    const { deps, draft } = ctx;
    const entry = entryOf(draft);
    const source = draft.spec.source;
    if (!entry || !source || !complete(entry, source)) return await render(ctx);
    const [preview, tables] = await Promise.all([
      previewSource(deps, draft.tenant, source),
      hasTables(entry) ? tablesOf(deps, draft.tenant, source) : undefined,
    ]);
    // Problems of a half-filled form are shown when the member asks, not on arrival.
    return await render(ctx, {
      preview: preview.ok || preview.problems.length === 0 ? preview : undefined,
      tables,
    });
  },

  async submit(ctx, form: PostedForm) {
    const { c, deps } = ctx;
    const kv = deps.engine.kv;
    const secrets = deps.engine.secrets;
    const action = lastValue(form, "action");
    if (action === "choose") {
      const type = lastValue(form, "type");
      if (!extractors.get(type)) {
        return await render(ctx, { error: "Choose the type of data." }, 400);
      }
      const saved = deps.vault
        ? (await listConnections(kv, ctx.draft.tenant)).some((r) =>
          r.kind === "source" && r.type === type
        )
        : false;
      await saveDraft(kv, secrets, withType(ctx.draft, type, saved));
      return c.redirect(stepUrl(ctx.draft, "source"), 303);
    }
    const entry = entryOf(ctx.draft);
    if (!entry) return await render(ctx, { error: "Choose the type of data first." }, 400);

    const choice = await readSourceForm(deps, ctx.draft, entry, form);
    const before = ctx.draft;
    const same = sourceIdentity(before.spec.source) === sourceIdentity(choice.source);
    const overrides = same ? typeOverridesOf(form) ?? before.typeOverrides : undefined;
    if (usesConnection(before.spec.source) !== usesConnection(choice.source)) {
      // Between a saved connection and typed settings nothing carries over: a password kept
      // from the settings would override the saved connection's own.
      // (saveDraft would keep the stored secrets, so the secret-free step is stored as it is.)
      const cleared = { ...before, spec: { ...before.spec, source: { type: entry.type } } };
      await kv.set(draftKey(before.tenant, before.id), cleared, { expireIn: DRAFT_TTL_MS });
    }
    let draft = await saveDraft(kv, secrets, {
      ...before,
      spec: { ...before.spec, source: choice.source },
      sourceMode: choice.mode,
      upload: choice.upload,
      typeOverrides: overrides,
    });
    const next: StepContext = { ...ctx, draft };
    const base: Extra = { problems: choice.problems, echo: choice.echo };
    const source = draft.spec.source!;

    if (action === "test") {
      const answer = await testSource(deps, draft.tenant, source);
      const tables = answer.ok && hasTables(entry)
        ? await tablesOf(deps, draft.tenant, source)
        : undefined;
      return await render(next, { ...base, answer, tables });
    }
    if (action === "next") {
      const check = choice.problems.length > 0
        ? { problems: choice.problems }
        : await nextCheck(next, entry);
      if (check.problems.length > 0 || check.preview) {
        const error = check.preview && check.problems.length === 0
          ? "We could not read your data yet; see the preview below."
          : "Some settings need your attention; see the messages beside the fields.";
        return await render(next, { ...base, ...check, error }, 400);
      }
      const previous = defaultName(before.spec.source, before.upload);
      const name = !draft.spec.name || draft.spec.name === previous
        ? defaultName(source, draft.upload) || draft.spec.name
        : draft.spec.name;
      draft = await saveDraft(kv, secrets, {
        ...draft,
        spec: { ...draft.spec, name },
        reached: furthest(draft.reached, "transform"),
      });
      return c.redirect(stepUrl(draft, "transform"), 303);
    }
    // "preview" (also what the upload island asks for once the file is stored).
    const [preview, tables] = await Promise.all([
      choice.problems.length > 0 ? undefined : previewSource(deps, draft.tenant, source),
      hasTables(entry) && complete(entry, source)
        ? tablesOf(deps, draft.tenant, source)
        : undefined,
    ]);
    return await render(next, { ...base, preview, tables }, choice.problems.length > 0 ? 400 : 200);
  },
};
