import assert from "node:assert/strict";
import { getDraft } from "./draft.ts";
import { formFields, patientsDraft, stepPath, stepsApp } from "./_steps_testing.ts";
import { ANALYTICS_DIMENSIONS } from "./analytics_step.tsx";

Deno.test("analytics step: the report is on by default with every dimension, and is saved", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, { reached: "analytics" });
    const html = await (await t.call("GET", stepPath(draft, "analytics"), { as: owner })).text();
    const form = formFields(html, "analytics-form");
    assert.equal(form.enabled, "true");
    for (const d of ANALYTICS_DIMENSIONS) assert.equal(form[`dim.${d.id}`], "true", d.id);
    assert.match(html, /<label for="an-ageBands">Age bands/);

    const { "dim.state": _, "dim.sources": __, ...chosen } = form;
    const res = await t.call("POST", stepPath(draft, "analytics"), {
      as: owner,
      form: { ...chosen, action: "next" },
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), stepPath(draft, "review"));
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    assert.deepEqual(saved?.spec.analytics, {
      enabled: true,
      dimensions: [
        "recordTypes",
        "gender",
        "ageBands",
        "raceEthnicity",
        "completeness",
        "immunizations",
      ],
    });
    assert.equal(saved?.reached, "review");
  } finally {
    await t.close();
  }
});

Deno.test("analytics step: the report can be turned off; on with nothing chosen is refused", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, { reached: "analytics" });
    const refused = await t.call("POST", stepPath(draft, "analytics"), {
      as: owner,
      form: { enabled: "true", action: "next" },
    });
    assert.equal(refused.status, 400);
    assert.match(
      await refused.text(),
      /<p class="error" id="an-error">Choose at least one part for the report, or turn the report off\.<\/p>/,
    );
    const off = await t.call("POST", stepPath(draft, "analytics"), {
      as: owner,
      form: { "dim.gender": "true", action: "next" },
    });
    assert.equal(off.status, 303);
    assert.deepEqual((await getDraft(t.kv, owner.tenant, draft.id))?.spec.analytics, {
      enabled: false,
      dimensions: ["gender"],
    });
    // Back on the step, the choice is shown as saved.
    const again = formFields(
      await (await t.call("GET", stepPath(draft, "analytics"), { as: owner })).text(),
      "analytics-form",
    );
    assert.equal(again.enabled, undefined);
    assert.equal(again["dim.gender"], "true");
    assert.equal(again["dim.state"], undefined);
  } finally {
    await t.close();
  }
});
