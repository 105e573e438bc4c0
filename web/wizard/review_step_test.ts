import assert from "node:assert/strict";
import { listAudit } from "../../audit/log.ts";
import { checkSpec } from "../../etl/plan.ts";
import { runOriginKey } from "../../pipelines/start.ts";
import { listPipelines } from "../../pipelines/store.ts";
import { runKeys } from "../../runs/run_record.ts";
import type { AccountsApp, Browser } from "../_testing.ts";
import { type DraftSpec, getDraft } from "./draft.ts";
import { formFields, patientsDraft, stepPath, stepsApp } from "./_steps_testing.ts";

const COMPLETE: Partial<DraftSpec> = {
  transforms: [{ type: "fhir-patient", preset: "synthea" }],
  output: { format: "ndjson" },
  repository: { type: "file", path: "synthea/Patient.ndjson" },
  analytics: { enabled: true, dimensions: ["recordTypes", "gender"] },
};

async function reviewed(
  t: AccountsApp,
  owner: Browser,
  spec: Partial<DraftSpec> = COMPLETE,
) {
  const draft = await patientsDraft(t.kv, t.deps.secrets, owner, { reached: "review", spec });
  const res = await t.call("GET", stepPath(draft, "review"), { as: owner });
  assert.equal(res.status, 200);
  const html = await res.text();
  return { draft, html, form: formFields(html, "review-form") };
}

Deno.test("review step: one plain sentence says what a run will do", async () => {
  const { t, owner } = await stepsApp();
  try {
    const { html, form } = await reviewed(t, owner);
    assert.match(
      html,
      /<p class="summary-sentence">Read patients\.csv \(115 rows\), turn each row into a FHIR Patient with the Synthea mapping, write NDJSON to synthea\/Patient\.ndjson in your files, and make a basic report\.<\/p>/,
    );
    // The name is suggested from the file.
    assert.equal(form.name, "patients");
  } finally {
    await t.close();
  }
});

Deno.test("review step: Save creates a pipeline whose spec passes checkSpec and shows the webhook secret once", async () => {
  const { t, owner } = await stepsApp();
  try {
    const { draft, form } = await reviewed(t, owner);
    const res = await t.call("POST", stepPath(draft, "review"), {
      as: owner,
      form: { ...form, name: "Synthea patients", schedule: "30 2 * * *", action: "save" },
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    const [pipeline] = await listPipelines(t.kv, owner.tenant);
    assert.equal(pipeline.name, "Synthea patients");
    assert.equal(pipeline.schedule, "30 2 * * *");
    const spec = await t.deps.secrets!.open(owner.tenant, pipeline.spec);
    const checked = checkSpec(spec);
    assert.equal(checked.repository.entry.type, "file");
    assert.deepEqual((pipeline.spec as Record<string, unknown>).analytics, COMPLETE.analytics);
    // The webhook URL and secret, once, with a plain warning.
    assert.match(html, /Copy these now\./);
    assert.ok(html.includes(pipeline.webhookSecret));
    assert.ok(html.includes(`https://portal.test/hooks/${pipeline.id}`));
    assert.match(html, /It also runs on its schedule: Every day at 02:30 UTC\./);
    assert.ok(html.includes(`href="/app/pipelines/${pipeline.id}"`));
    const audit = await listAudit(t.kv, owner.tenant, { limit: 10 });
    assert.ok(
      audit.entries.some((e) => e.action === "pipeline.created" && e.target === pipeline.id),
    );
    assert.equal((await getDraft(t.kv, owner.tenant, draft.id))?.pipelineId, pipeline.id);

    // Seen again, or saved again: the same pipeline, and the secret is not shown.
    for (
      const again of [
        await t.call("GET", stepPath(draft, "review"), { as: owner }),
        await t.call("POST", stepPath(draft, "review"), {
          as: owner,
          form: { ...form, action: "save" },
        }),
      ]
    ) {
      const text = await again.text();
      assert.ok(!text.includes(pipeline.webhookSecret));
      assert.match(text, /cannot be shown again/);
    }
    assert.equal((await listPipelines(t.kv, owner.tenant)).length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("review step: Save & run starts a run and links to its page", async () => {
  const { t, owner } = await stepsApp();
  try {
    const { draft, form } = await reviewed(t, owner);
    const res = await t.call("POST", stepPath(draft, "review"), {
      as: owner,
      form: { ...form, action: "run" },
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    const runId = /href="\/app\/runs\/([^"]+)"/.exec(html)?.[1];
    assert.ok(runId, "a link to the run page");
    const [pipeline] = await listPipelines(t.kv, owner.tenant);
    const run = await t.kv.get<{ status: string }>(runKeys.run(owner.tenant, runId));
    assert.ok(run.value, "the run exists");
    const origin = await t.kv.get(runOriginKey(owner.tenant, runId));
    assert.deepEqual(origin.value, { pipelineId: pipeline.id, trigger: "api", by: owner.email });
  } finally {
    await t.close();
  }
});

Deno.test("review step: a refused spec lists every problem, each linked to its step", async () => {
  const { t, owner } = await stepsApp();
  try {
    const { draft, form } = await reviewed(t, owner, {
      ...COMPLETE,
      transforms: [{ type: "fhir-patient", preset: "synthea", dayFirst: "yes" }],
      repository: { type: "sqlite", path: "clinic.sqlite", table: "patients", mode: "upsert" },
    });
    const res = await t.call("POST", stepPath(draft, "review"), {
      as: owner,
      form: { ...form, action: "save" },
    });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /The pipeline could not be saved/);
    assert.match(
      html,
      new RegExp(
        `<li>transforms\\[0\\]\\.dayFirst: [^<]*<a href="${
          stepPath(draft, "transform")
        }">go to Transformation</a></li>`,
      ),
    );
    assert.match(
      html,
      new RegExp(
        `<li>repository\\.key: upsert needs the key column[^<]*<a href="${
          stepPath(draft, "repository")
        }">go to Repository</a></li>`,
      ),
    );
    assert.equal((await listPipelines(t.kv, owner.tenant)).length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("review step: the schedule is read back in words, and a wrong one is refused beside it", async () => {
  const { t, owner } = await stepsApp();
  try {
    const { draft, form } = await reviewed(t, owner);
    const read = await t.call("POST", stepPath(draft, "review"), {
      as: owner,
      form: { ...form, schedule: "0 6 * * 1", action: "schedule" },
    });
    assert.match(
      await read.text(),
      /<p class="schedule-reading" id="f-schedule-reading">Every Monday at 06:00 UTC\.<\/p>/,
    );
    const wrong = await t.call("POST", stepPath(draft, "review"), {
      as: owner,
      form: { ...form, name: "", schedule: "every day", action: "save" },
    });
    assert.equal(wrong.status, 400);
    const html = await wrong.text();
    assert.match(html, /<p class="error" id="f-schedule-error">[^<]*every day/);
    assert.match(html, /<p class="error" id="f-name-error" role="alert">Give the pipeline a name/);
    assert.equal((await listPipelines(t.kv, owner.tenant)).length, 0);
  } finally {
    await t.close();
  }
});
