import assert from "node:assert/strict";
import { getDraft } from "./draft.ts";
import { join } from "node:path";
import {
  formFields,
  patientsDraft,
  stepPath,
  stepsApp,
  SYNTHEA_PATIENTS,
} from "./_steps_testing.ts";
import { PREVIEW_HEADER } from "./transform_step.tsx";

const selected = (html: string, name: string) =>
  new RegExp(
    `<select[^>]*name="${
      name.replaceAll(".", "\\.")
    }"[^>]*>[\\s\\S]*?<option value="([^"]*)" selected`,
  )
    .exec(html)?.[1];

/** The transformation step of a fresh patients.csv draft, and its form as a browser sends it. */
async function opened() {
  const { t, owner } = await stepsApp();
  const draft = await patientsDraft(t.kv, t.deps.secrets, owner);
  const res = await t.call("GET", stepPath(draft, "transform"), { as: owner });
  assert.equal(res.status, 200);
  const html = await res.text();
  return { t, owner, draft, html, form: formFields(html, "transform-form") };
}

Deno.test("transform step: the mapping editor is pre-filled from the Synthea preset", async () => {
  const { t, html, form } = await opened();
  try {
    assert.equal(form.kind, "fhir-patient");
    assert.equal(form["pat.preset"], "synthea");
    assert.equal(selected(html, "pat.m.gender"), "GENDER");
    assert.equal(selected(html, "pat.m.birthDate"), "BIRTHDATE");
    assert.equal(selected(html, "pat.m.given.0"), "FIRST");
    assert.equal(selected(html, "pat.m.family"), "LAST");
    assert.equal(selected(html, "pat.m.race"), "RACE");
    assert.equal(selected(html, "pat.id.1.column"), "Id");
    // Each column is offered with an example value, and labels name the FHIR element.
    assert.match(html, /<option value="GENDER" selected>GENDER \(e\.g\. M\)<\/option>/);
    assert.match(
      html,
      /<label for="pat-m-gender">Gender<code class="fhir-path">Patient\.gender<\/code>/,
    );
    // The preview shows the first 20 rows as valid Patients, formatted.
    assert.match(html, /<strong>20 of 20<\/strong> preview rows became valid Patient resources/);
    assert.match(html, /&quot;family&quot;: &quot;Kessler503&quot;/);
    assert.equal(html.match(/Valid FHIR R4 Patient/g)?.length, 20);
    // How the file's values come out is said under each value map.
    assert.match(html, /<q>M<\/q> → male/);
    assert.match(html, /<q>white<\/q> → White \(2106-3\)/);
  } finally {
    await t.close();
  }
});

Deno.test("transform step: changing gender's column shows the change in the live preview", async () => {
  const { t, owner, draft, form } = await opened();
  try {
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      headers: { [PREVIEW_HEADER]: "1" },
      form: { ...form, "pat.m.gender": "MARITAL", action: "preview" },
    });
    assert.equal(res.status, 200);
    const fragment = await res.text();
    // A fragment for the island, not a page.
    assert.doesNotMatch(fragment, /<html/);
    assert.match(fragment, /^<div class="resource-preview">/);
    // Married (M) people come out male; the single (S) ones are rejected, with the element.
    assert.match(fragment, /<strong>\d+ of 20<\/strong> preview rows became valid Patient/);
    assert.match(fragment, /<code class="fhir-path">Patient\.gender<\/code>/);
    assert.match(
      fragment,
      /cannot map value to male \| female \| other \| unknown \(&quot;S&quot;\)/,
    );
    // Nothing was saved by a preview.
    assert.deepEqual((await getDraft(t.kv, owner.tenant, draft.id))?.spec.transforms, []);
  } finally {
    await t.close();
  }
});

Deno.test("transform step: a gender value map S → unknown shows in the resources and is saved", async () => {
  const { t, owner, draft, form } = await opened();
  try {
    const mapped = {
      ...form,
      "pat.m.gender": "MARITAL",
      "pat.vm.gender.0.from": "S",
      "pat.vm.gender.0.to": "unknown",
      "pat.vm.gender.1.from": "M",
      "pat.vm.gender.1.to": "male",
    };
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      headers: { [PREVIEW_HEADER]: "1" },
      form: { ...mapped, action: "preview" },
    });
    const fragment = await res.text();
    assert.match(fragment, /<strong>20 of 20<\/strong>/);
    assert.match(fragment, /&quot;gender&quot;: &quot;unknown&quot;/);
    assert.match(fragment, /&quot;gender&quot;: &quot;male&quot;/);

    const next = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      form: { ...mapped, action: "next" },
    });
    assert.equal(next.status, 303);
    assert.equal(next.headers.get("location"), stepPath(draft, "repository"));
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    assert.deepEqual(saved?.spec.transforms, [{
      type: "fhir-patient",
      preset: "synthea",
      mapping: { gender: "MARITAL" },
      valueMaps: { gender: { S: "unknown", M: "male" } },
    }]);
    assert.equal(saved?.reached, "repository");
  } finally {
    await t.close();
  }
});

Deno.test("transform step: a bad mapping shows the validation message beside the row", async () => {
  const { t, owner, draft, form } = await opened();
  try {
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      form: { ...form, "pat.m.birthDate": "FIRST", action: "preview" },
    });
    // Without the island's header, the whole page comes back with the form as typed.
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<html/);
    assert.equal(selected(html, "pat.m.birthDate"), "FIRST");
    assert.match(
      html,
      /<strong>0 of 20<\/strong> preview rows became valid Patient resources; 20 could not be used/,
    );
    assert.match(
      html,
      /Row 1 <span class="muted">\(line 2\)<\/span><\/h4><div class="resource-body"><p class="resource-none">No resource was made from this row\.<\/p><div class="resource-check rejected"><p class="check-title">Could not be mapped<\/p><p><code class="fhir-path">Patient\.birthDate<\/code><\/p><p>not a valid date \(&quot;Freeman822&quot;\)<\/p>/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("transform step: the output format and its options are saved with the transformation", async () => {
  const { t, owner, draft, form } = await opened();
  try {
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      form: { ...form, format: "sql", "fmt.sql.dialect": "mysql", action: "next" },
    });
    assert.equal(res.status, 303);
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    // An untouched Synthea mapping is saved as the preset alone.
    assert.deepEqual(saved?.spec.transforms, [{ type: "fhir-patient", preset: "synthea" }]);
    assert.deepEqual(saved?.spec.output, { format: "sql", dialect: "mysql" });

    // Back on the step, the choices are shown as saved.
    const again = formFields(
      await (await t.call("GET", stepPath(draft, "transform"), { as: owner })).text(),
      "transform-form",
    );
    assert.equal(again.format, "sql");
    assert.equal(again["fmt.sql.dialect"], "mysql");
    assert.equal(again.kind, "fhir-patient");
  } finally {
    await t.close();
  }
});

Deno.test("transform step: a wrong format option is refused beside its field", async () => {
  const { t, owner, draft, form } = await opened();
  try {
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      form: { ...form, format: "csv", "fmt.csv.delimiter": ";;", action: "next" },
    });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /Some settings need your attention/);
    assert.match(html, /<p class="error" id="cfg-delimiter-error">/);
    assert.deepEqual((await getDraft(t.kv, owner.tenant, draft.id))?.spec.output, undefined);
  } finally {
    await t.close();
  }
});

Deno.test("transform step: normalize takes the column types chosen on step 1", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      patch: { typeOverrides: { BIRTHDATE: "date", LAT: "decimal", ZIP: "string" } },
    });
    const html = await (await t.call("GET", stepPath(draft, "transform"), { as: owner })).text();
    assert.match(html, /<strong>BIRTHDATE<\/strong> as date/);
    const form = formFields(html, "transform-form");
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      form: {
        ...form,
        kind: "normalize",
        "norm.nullTokens": "NULL, N/A, -",
        format: "csv",
        action: "next",
      },
    });
    assert.equal(res.status, 303);
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    assert.deepEqual(saved?.spec.transforms, [{
      type: "normalize",
      fieldNames: "snake_case",
      trim: true,
      nullTokens: ["", "NULL", "N/A", "-"],
      dateOrder: "mdy",
      types: { BIRTHDATE: "date", LAT: "decimal", ZIP: "string" },
    }]);
    assert.deepEqual(saved?.spec.output, { format: "csv" });
  } finally {
    await t.close();
  }
});

Deno.test("transform step: a source that cannot be read says so and links back to step 1", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      spec: { source: { type: "csv", path: "missing.csv" } },
    });
    const res = await t.call("GET", stepPath(draft, "transform"), { as: owner });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /We could not read the first rows of your source/);
    assert.match(html, /missing\.csv/);
    assert.match(html, new RegExp(`href="${stepPath(draft, "source")}"`));
    assert.doesNotMatch(html, /at .*\.ts:\d+/);
  } finally {
    await t.close();
  }
});

Deno.test("transform step: an immunizations file starts as FHIR Immunization with its own editor", async () => {
  const { t, owner } = await stepsApp();
  try {
    const dir = join(t.deps.inputRoot, owner.tenant);
    await Deno.copyFile(
      SYNTHEA_PATIENTS.replace("patients.csv", "immunizations.csv"),
      join(dir, "imm.csv"),
    );
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      spec: { source: { type: "csv", path: "imm.csv" } },
      patch: { upload: { path: "imm.csv", name: "immunizations.csv", bytes: 1 } },
    });
    const html = await (await t.call("GET", stepPath(draft, "transform"), { as: owner })).text();
    const form = formFields(html, "transform-form");
    assert.equal(form.kind, "fhir-immunization");
    assert.equal(form["imm.preset"], "synthea");
    assert.equal(selected(html, "imm.m.vaccineCode"), "CODE");
    assert.equal(selected(html, "imm.m.occurrence"), "DATE");
    assert.match(
      html,
      /<strong>20 of 20<\/strong> preview rows became valid Immunization resources/,
    );
    assert.match(html, /&quot;occurrenceDateTime&quot;: &quot;2014-02-15T10:14:03Z&quot;/);
    assert.match(html, /Valid FHIR R4 Immunization/);
    const res = await t.call("POST", stepPath(draft, "transform"), {
      as: owner,
      form: { ...form, action: "next" },
    });
    assert.equal(res.status, 303);
    assert.deepEqual((await getDraft(t.kv, owner.tenant, draft.id))?.spec.transforms, [
      { type: "fhir-immunization", preset: "synthea" },
    ]);
  } finally {
    await t.close();
  }
});
