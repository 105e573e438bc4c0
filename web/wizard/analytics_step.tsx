/**
 * Wizard step 4, "Analytics": whether each run makes the basic report (on by default) and what
 * it covers. Saved as `draft.spec.analytics = { enabled, dimensions }`; the engine reads it.
 * @module
 */
import { Csrf } from "../../components/ui.tsx";
import { field, html } from "../page.ts";
import { type Draft, furthest, saveDraft } from "./draft.ts";
import type { StepContext, WizardStepPage } from "./step.ts";
import { stepUrl, WizardButtons, WizardLayout } from "./WizardLayout.tsx";

/** What the basic report can cover, in the order the page lists it. */
export const ANALYTICS_DIMENSIONS = [
  { id: "recordTypes", label: "Record types", text: "How many records of each kind were written." },
  { id: "sources", label: "Sources", text: "Where the records came from." },
  { id: "gender", label: "Gender", text: "Patients by gender." },
  { id: "ageBands", label: "Age bands", text: "Patients aged 0–4, 5–17, 18–44, 45–64 and 65+." },
  {
    id: "raceEthnicity",
    label: "Race and ethnicity",
    text: "Patients by US Core race and ethnicity.",
  },
  { id: "state", label: "State", text: "Patients by the state of their address." },
  {
    id: "completeness",
    label: "Completeness",
    text: "How often name, birth date, gender, address and phone are filled in.",
  },
  {
    id: "immunizations",
    label: "Immunizations by vaccine and month",
    text: "Vaccinations per vaccine and per month given.",
  },
] as const;

const ALL = ANALYTICS_DIMENSIONS.map((d) => d.id as string);

function AnalyticsPage(
  props: { ctx: StepContext; draft: Draft; enabled: boolean; dimensions: string[]; error?: string },
) {
  const { ctx, draft } = props;
  const principal = ctx.c.get("principal");
  return (
    <WizardLayout principal={principal} draft={draft} step="analytics" error={props.error}>
      <form method="post" class="card analytics-form">
        <Csrf token={principal.csrf} />
        <WizardButtons draft={draft} step="analytics" />
        <h2>A report after each run</h2>
        <p class="lead">
          The report counts what each run wrote, so you can check it at a glance. Counts under 5 are
          hidden, so that no patient can be recognised from it.
        </p>
        <div class="field check">
          <div class="check-row">
            <input
              type="checkbox"
              id="an-enabled"
              name="enabled"
              value="true"
              checked={props.enabled}
            />
            <label for="an-enabled">Make the basic report after each run</label>
          </div>
        </div>
        <fieldset
          class={`dimensions${props.error ? " invalid" : ""}`}
          aria-describedby={props.error ? "an-error" : undefined}
        >
          <legend>What the report covers</legend>
          <ul class="check-list">
            {ANALYTICS_DIMENSIONS.map((d) => (
              <li>
                <input
                  type="checkbox"
                  id={`an-${d.id}`}
                  name={`dim.${d.id}`}
                  value="true"
                  checked={props.dimensions.includes(d.id)}
                />
                <label for={`an-${d.id}`}>
                  {d.label}
                  <small>{d.text}</small>
                </label>
              </li>
            ))}
          </ul>
          {props.error && <p class="error" id="an-error">{props.error}</p>}
        </fieldset>
      </form>
    </WizardLayout>
  );
}

/** The analytics step. */
export const analyticsStep: WizardStepPage = {
  show(ctx) {
    const a = ctx.draft.spec.analytics;
    return html(
      ctx.c,
      <AnalyticsPage
        ctx={ctx}
        draft={ctx.draft}
        enabled={a?.enabled ?? true}
        dimensions={a?.dimensions ?? ALL}
      />,
    );
  },

  async submit(ctx, form) {
    const { c, deps, draft } = ctx;
    const enabled = field(form, "enabled") !== "";
    const dimensions = ALL.filter((d) => field(form, `dim.${d}`) !== "");
    if (enabled && dimensions.length === 0) {
      return html(
        c,
        <AnalyticsPage
          ctx={ctx}
          draft={draft}
          enabled={enabled}
          dimensions={dimensions}
          error="Choose at least one part for the report, or turn the report off."
        />,
        400,
      );
    }
    await saveDraft(deps.engine.kv, deps.engine.secrets, {
      ...draft,
      reached: furthest(draft.reached, "review"),
      spec: { ...draft.spec, analytics: { enabled, dimensions } },
    });
    return c.redirect(stepUrl(draft, "review"), 303);
  },
};
