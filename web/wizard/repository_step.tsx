/**
 * Wizard step 3, "Repository": a file in the tenant's files, a database table (append, replace
 * or upsert by key), S3, or a saved repository connection. `?type=` picks the kind. Posting with
 * `action=test` keeps what was typed in the draft (secrets sealed) and shows the answer of "Test
 * connection"; `action=next` checks the step against its repository's schema, with its secrets
 * and saved connection opened, and saves `spec.repository`.
 * @module
 */
import { listConnections } from "../../connections/mod.ts";
import { connectionContext, testConnection } from "../../etl/connections.ts";
import { userMessage } from "../../etl/errors.ts";
import { tenantRoot } from "../../runs/plan_secrets.ts";
import { field, html } from "../page.ts";
import { type Draft, furthest, saveDraft } from "./draft.ts";
import {
  checkOpened,
  choiceOf,
  draftChoice,
  isComplete,
  readForm,
  type RepoForm,
  valuesOfStep,
} from "./repository_form.ts";
import { RepositoryPage, type RepositoryPageProps } from "./repository_page.tsx";
import type { StepContext, WizardStepPage } from "./step.ts";
import { stepUrl } from "./WizardLayout.tsx";

type Extra = Partial<Pick<RepositoryPageProps, "answer" | "error" | "errors" | "problems">>;

async function render(
  ctx: StepContext,
  draft: Draft,
  form: RepoForm | undefined,
  extra: Extra,
  status: 200 | 400 = 200,
) {
  const { c, deps } = ctx;
  const connections = await listConnections(deps.engine.kv, draft.tenant);
  const choice = form?.choice ??
    choiceOf(c.req.query("type") ?? "", connections) ?? draftChoice(draft, connections);
  // Saved values first (a saved secret shows as "saved"), then what was typed.
  const values = { ...valuesOfStep(choice, draft.spec.repository, draft), ...form?.values };
  return html(
    c,
    <RepositoryPage
      principal={c.get("principal")}
      draft={draft}
      choice={choice}
      connections={connections}
      values={values}
      errors={extra.errors ?? form?.errors ?? {}}
      problems={extra.problems ?? form?.problems ?? []}
      answer={extra.answer}
      error={extra.error}
    />,
    status,
  );
}

/** The step with secrets and saved connection opened (inside the server only). */
async function opened(ctx: StepContext, step: Record<string, unknown>) {
  const secrets = ctx.deps.engine.secrets;
  if (!secrets) return step;
  const spec = await secrets.open(ctx.draft.tenant, { repository: step }) as {
    repository: Record<string, unknown>;
  };
  return spec.repository;
}

/** The repository step. */
export const repositoryStep: WizardStepPage = {
  show(ctx) {
    return render(ctx, ctx.draft, undefined, {});
  },

  async submit(ctx, form) {
    const { c, deps, draft } = ctx;
    const e = deps.engine;
    const connections = await listConnections(e.kv, draft.tenant);
    const choice = choiceOf(field(form, "choice"), connections);
    if (!choice) {
      return render(ctx, draft, undefined, {
        error:
          "That repository is no longer offered (a saved connection may have been deleted); choose another one.",
      }, 400);
    }
    const typed = readForm(choice, form, draft);
    // Kept in the draft (sealed) either way, so a password typed once is not asked again.
    const saved = await saveDraft(e.kv, e.secrets, {
      ...draft,
      spec: { ...draft.spec, repository: typed.step },
    });
    let step: Record<string, unknown>;
    try {
      step = await opened(ctx, saved.spec.repository!);
    } catch (err) {
      return render(ctx, saved, typed, { error: userMessage(err) }, 400);
    }
    if (field(form, "action") === "test") {
      const root = (r: string) => tenantRoot(r, draft.tenant, e.tenantFiles);
      const answer = await testConnection("repository", step, {
        ...connectionContext({ allowPrivateNetwork: e.allowPrivateNetwork, tenant: draft.tenant }),
        inputRoot: root(e.inputRoot),
        outputRoot: root(e.outputRoot),
      });
      return render(ctx, saved, typed, { answer });
    }
    const checked = checkOpened(typed, step);
    if (!isComplete(checked)) {
      return render(ctx, saved, checked, {
        error: "Some settings need your attention: see the messages beside them below.",
      }, 400);
    }
    await saveDraft(e.kv, e.secrets, { ...saved, reached: furthest(saved.reached, "analytics") });
    return c.redirect(stepUrl(draft, "analytics"), 303);
  },
};
