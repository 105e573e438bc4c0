import assert from "node:assert/strict";
import { listAudit } from "../audit/log.ts";
import { runOrigins } from "../pipelines/start.ts";
import { getPipeline } from "../pipelines/store.ts";
import { drive } from "../routes/_testing.ts";
import { clinicPipeline, invited, postForm, textOf, withPages } from "./_pages_testing.ts";

Deno.test("pipeline page: what it does in words, webhook URL without its secret, Run now", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const id = await clinicPipeline(t, owner);
    const stored = await getPipeline(t.kv, owner.tenant, id);

    const page = await t.call("GET", `/app/pipelines/${id}`, { as: owner });
    assert.equal(page.status, 200);
    const html = await page.text();
    const text = textOf(html);
    assert.match(text, /Where the data comes from CSV file Path clinic\.csv/);
    assert.match(text, /What happens to each row Normalize fields Types dob: date/);
    assert.match(text, /Where it is saved Files Path clinic\/patients\.csv/);
    assert.match(text, new RegExp(`https://portal\\.test/hooks/${id}`));
    assert.equal(html.includes(stored!.webhookSecret), false, "the webhook secret is shown");
    assert.match(text, /No schedule: runs start only by hand or by webhook\./);
    assert.match(text, /No runs yet\./);

    const run = await postForm(t, owner, `/app/pipelines/${id}/run`);
    assert.equal(run.status, 303);
    const runId = /^\/app\/runs\/([\w-]+)\?done=started$/.exec(run.headers.get("location")!)![1];
    const [origin] = await runOrigins(t.kv, owner.tenant, [runId]);
    assert.deepEqual(origin, { pipelineId: id, trigger: "api", by: owner.email });
    assert.equal((await drive(t.deps, owner.tenant, runId)).status, "succeeded");
    const started = textOf(
      await (await t.call("GET", `/app/runs/${runId}?done=started`, {
        as: owner,
      })).text(),
    );
    assert.match(started, /The run was started\./);

    // The pipeline page lists the run.
    const after = await (await t.call("GET", `/app/pipelines/${id}`, { as: owner })).text();
    assert.match(after, new RegExp(`href="/app/runs/${runId}"`));
  }));

Deno.test("pipeline page: a secret in the spec shows masked", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const spec = {
      version: 1,
      name: "from-postgres",
      source: {
        type: "postgres",
        host: "db.clinic.example",
        database: "emr",
        user: "etl",
        password: "hunter2-very-secret",
        table: "patients",
      },
      output: { format: "ndjson" },
      repository: { type: "file", path: "out.ndjson" },
    };
    const made = await t.call("POST", "/api/v1/pipelines", { as: owner, body: { spec } });
    assert.equal(made.status, 201, await made.clone().text());
    const { id } = await made.json();
    const html = await (await t.call("GET", `/app/pipelines/${id}`, { as: owner })).text();
    assert.equal(html.includes("hunter2"), false);
    assert.match(textOf(html), /Password \*\*\*\*\*\*\*\*/);
    assert.match(textOf(html), /PostgreSQL table/);
  }));

Deno.test("pipeline page: the schedule is saved with its reading, refused with a sentence, removed", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const id = await clinicPipeline(t, owner);

    const bad = await postForm(t, owner, `/app/pipelines/${id}/schedule`, {
      schedule: "61 * * * *",
    });
    assert.equal(bad.status, 400);
    const badHtml = await bad.text();
    assert.match(textOf(badHtml), /minute field "61" is out of range 0–59/);
    assert.match(
      badHtml,
      /aria-invalid="true"[^>]*value="61 \* \* \* \*"|value="61 \* \* \* \*"[^>]*aria-invalid="true"/,
    );
    assert.equal((await getPipeline(t.kv, owner.tenant, id))?.schedule, undefined);

    const saved = await postForm(t, owner, `/app/pipelines/${id}/schedule`, {
      schedule: "30 2 * * *",
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get("location"), `/app/pipelines/${id}?done=schedule-saved`);
    assert.equal((await getPipeline(t.kv, owner.tenant, id))?.schedule, "30 2 * * *");
    const page = textOf(
      await (await t.call("GET", `/app/pipelines/${id}?done=schedule-saved`, {
        as: owner,
      })).text(),
    );
    assert.match(page, /The schedule was saved\./);
    assert.match(page, /Every day at 02:30 UTC \( 30 2 \* \* \* \)/);

    const removed = await postForm(t, owner, `/app/pipelines/${id}/schedule`, { remove: "1" });
    assert.equal(removed.status, 303);
    assert.equal((await getPipeline(t.kv, owner.tenant, id))?.schedule, undefined);
    const { entries } = await listAudit(t.kv, owner.tenant);
    const changes = entries.filter((e) => e.action === "pipeline.updated").map((e) =>
      e.detail?.schedule
    );
    assert.deepEqual(changes, [null, "30 2 * * *"]);
  }));

Deno.test("pipeline page: viewers see it without buttons and get 403 on Run now; others get 404", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const viewer = await invited(t, owner, "viewer");
    const other = await t.signUp();
    const id = await clinicPipeline(t, owner);

    const seen = await (await t.call("GET", `/app/pipelines/${id}`, { as: viewer })).text();
    assert.doesNotMatch(seen, /Run now<\/button>|Save schedule/);
    const run = await postForm(t, viewer, `/app/pipelines/${id}/run`);
    assert.equal(run.status, 403);
    assert.match(textOf(await run.text()), /your role is viewer/);
    assert.equal(
      (await postForm(t, viewer, `/app/pipelines/${id}/schedule`, { schedule: "0 * * * *" }))
        .status,
      403,
    );

    const foreign = await t.call("GET", `/app/pipelines/${id}`, { as: other });
    assert.equal(foreign.status, 404);
    assert.match(textOf(await foreign.text()), new RegExp(`There is no pipeline with id "${id}"`));
    assert.equal((await postForm(t, other, `/app/pipelines/${id}/run`)).status, 404);
  }));
