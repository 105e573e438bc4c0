import assert from "node:assert/strict";
import { enqueueScheduled, listSchedules } from "../pipelines/schedules.ts";
import { getPipeline, pipelineKeys } from "../pipelines/store.ts";
import { tickSchedules } from "../triggers/schedule.ts";
import { patientsSpec, type TestApp, testApp, TOKEN_B } from "./_testing.ts";

async function save(t: TestApp, extra: Record<string, unknown> = {}) {
  const res = await t.call("POST", "/api/v1/pipelines", {
    body: { spec: patientsSpec(), ...extra },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return await res.json();
}

const patch = (t: TestApp, id: string, body: unknown, token?: string) =>
  t.call("PATCH", `/api/v1/pipelines/${id}`, { body, token });

const MINUTE = 60_000;

Deno.test("PATCH changes a schedule, which fires from the change on and not for earlier minutes", async () => {
  const t = await testApp();
  try {
    const p = await save(t, { schedule: "*/15 * * * *" });
    // The change lands at 10:07:30; "5 * * * *" was due at 10:05, before it.
    const changedAt = new Date("2026-12-01T10:07:30Z");
    t.deps.now = () => changedAt;
    const res = await patch(t, p.id, { schedule: "5 * * * *" });
    assert.equal(res.status, 200, await res.clone().text());
    const changed = await res.json();
    assert.deepEqual(changed.schedule, { cron: "5 * * * *", says: "Every hour at 5 minutes past" });
    assert.equal(changed.notify, null);
    assert.deepEqual((await t.deps.kv.get(pipelineKeys.schedule("clinic-a", p.id))).value, {
      cron: "5 * * * *",
      notBefore: changedAt.toISOString(),
    });
    assert.equal(
      (await (await t.call("GET", `/api/v1/pipelines/${p.id}`)).json()).schedule.cron,
      "5 * * * *",
    );

    const enqueue = enqueueScheduled(t.deps);
    const late = await tickSchedules(t.deps.kv, await listSchedules(t.deps.kv), changedAt, enqueue);
    assert.deepEqual(late.enqueued, [], "10:05 came before the change: not fired");
    const next = new Date(Date.parse("2026-12-01T11:05:00Z") + 50);
    const due = await tickSchedules(t.deps.kv, await listSchedules(t.deps.kv), next, enqueue);
    assert.equal(due.enqueued.length, 1, "11:05 fires");
    const runs = (await (await t.call("GET", "/api/v1/runs")).json()).runs;
    assert.deepEqual(runs.map((r: { trigger: string }) => r.trigger), ["schedule"]);
  } finally {
    await t.close();
  }
});

Deno.test("PATCH with the same schedule keeps its index as it was", async () => {
  const t = await testApp();
  try {
    const p = await save(t, { schedule: "*/15 * * * *" });
    const before = await t.deps.kv.get(pipelineKeys.schedule("clinic-a", p.id));
    t.deps.now = () => new Date(Date.now() + 10 * MINUTE);
    assert.equal((await patch(t, p.id, { schedule: "*/15 * * * *" })).status, 200);
    const after = await t.deps.kv.get(pipelineKeys.schedule("clinic-a", p.id));
    assert.equal(after.versionstamp, before.versionstamp);
  } finally {
    await t.close();
  }
});

Deno.test("PATCH schedule null removes the schedule and its index", async () => {
  const t = await testApp();
  try {
    const p = await save(t, { schedule: "30 2 * * *" });
    assert.equal((await listSchedules(t.deps.kv)).length, 1);
    const res = await patch(t, p.id, { schedule: null });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).schedule, null);
    assert.equal((await t.deps.kv.get(pipelineKeys.schedule("clinic-a", p.id))).value, null);
    assert.deepEqual(await listSchedules(t.deps.kv), []);
    assert.equal((await getPipeline(t.deps.kv, "clinic-a", p.id))?.schedule, undefined);
    const list = (await (await t.call("GET", "/api/v1/pipelines")).json()).pipelines;
    assert.equal(list[0].schedule, null);
  } finally {
    await t.close();
  }
});

Deno.test("PATCH with a bad cron answers 400 naming the value and changes nothing", async () => {
  const t = await testApp();
  try {
    const p = await save(t, { schedule: "30 2 * * *" });
    const res = await patch(t, p.id, { schedule: "61 * * * *" });
    assert.equal(res.status, 400);
    assert.equal(
      (await res.json()).error,
      'The schedule "61 * * * *" is not valid: minute field "61" is out of range 0–59',
    );
    assert.equal((await getPipeline(t.deps.kv, "clinic-a", p.id))?.schedule, "30 2 * * *");
    assert.equal((await listSchedules(t.deps.kv))[0].cron, "30 2 * * *");
  } finally {
    await t.close();
  }
});

Deno.test("PATCH refuses bodies that change nothing or name unknown fields", async () => {
  const t = await testApp();
  try {
    const p = await save(t);
    const empty = await patch(t, p.id, {});
    assert.equal(empty.status, 400);
    assert.match((await empty.json()).error, /changes nothing; send "schedule" and\/or "notify"/);
    const typo = await patch(t, p.id, { schedul: "30 2 * * *" });
    assert.equal(typo.status, 400);
    assert.match((await typo.json()).problems[0], /schedul/);
    const badId = await patch(t, "not-an-id", { schedule: null });
    assert.equal(badId.status, 400);
    await badId.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("PATCH of another tenant's pipeline answers 404 and changes nothing", async () => {
  const t = await testApp();
  try {
    const p = await save(t, { schedule: "30 2 * * *" });
    const res = await patch(
      t,
      p.id,
      { schedule: null, notify: { url: "https://evil.test/x" } },
      TOKEN_B,
    );
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error, `There is no pipeline with id "${p.id}".`);
    const stored = await getPipeline(t.deps.kv, "clinic-a", p.id);
    assert.equal(stored?.schedule, "30 2 * * *");
    assert.equal(stored?.notify, undefined);
    assert.equal((await listSchedules(t.deps.kv)).length, 1);
    assert.equal(await getPipeline(t.deps.kv, "clinic-b", p.id), undefined);
  } finally {
    await t.close();
  }
});

Deno.test("a notification secret is shown once, when it is created, and survives a URL change", async () => {
  const t = await testApp();
  try {
    const p = await save(t, { notify: { url: "https://hooks.clinic.test/runs" } });
    assert.equal(p.notify.url, "https://hooks.clinic.test/runs");
    assert.match(p.notify.secret, /^whsec_/);
    assert.notEqual(p.notify.secret, p.webhook.secret);

    const shown = await (await t.call("GET", `/api/v1/pipelines/${p.id}`)).text();
    assert.ok(!shown.includes(p.notify.secret), "GET never shows it");
    assert.deepEqual(JSON.parse(shown).notify, { url: "https://hooks.clinic.test/runs" });
    const listed = await (await t.call("GET", "/api/v1/pipelines")).text();
    assert.ok(!listed.includes(p.notify.secret));

    const moved = await patch(t, p.id, { notify: { url: "https://new.clinic.test/runs" } });
    const movedText = await moved.text();
    assert.equal(moved.status, 200);
    assert.deepEqual(JSON.parse(movedText).notify, { url: "https://new.clinic.test/runs" });
    assert.ok(!movedText.includes(p.notify.secret), "a URL change does not show the secret");
    const stored = await getPipeline(t.deps.kv, "clinic-a", p.id);
    assert.equal(stored?.notifySecret, p.notify.secret, "the secret is kept");

    const off = await (await patch(t, p.id, { notify: null })).json();
    assert.equal(off.notify, null);
    assert.equal((await getPipeline(t.deps.kv, "clinic-a", p.id))?.notifySecret, undefined);
  } finally {
    await t.close();
  }
});

Deno.test("PATCH adding a first notification URL shows its new secret in that answer only", async () => {
  const t = await testApp();
  try {
    const p = await save(t);
    assert.equal(p.notify, undefined);
    const res = await patch(t, p.id, { notify: { url: "http://receiver.test/pyx" } });
    assert.equal(res.status, 200);
    const added = await res.json();
    assert.equal(added.notify.url, "http://receiver.test/pyx");
    assert.match(added.notify.secret, /^whsec_/);
    assert.equal(
      (await getPipeline(t.deps.kv, "clinic-a", p.id))?.notifySecret,
      added.notify.secret,
    );
    const again = await (await t.call("GET", `/api/v1/pipelines/${p.id}`)).text();
    assert.ok(!again.includes(added.notify.secret));
    const same = await (await patch(t, p.id, { notify: { url: "http://receiver.test/pyx" } }))
      .json();
    assert.deepEqual(same.notify, { url: "http://receiver.test/pyx" });
  } finally {
    await t.close();
  }
});

Deno.test("a notification URL that is not http(s) answers 400 saying so", async () => {
  const t = await testApp();
  try {
    for (
      const url of ["ftp://files.clinic.test/x", "hooks.clinic.test/runs", "https://u:pw@x.test/"]
    ) {
      const res = await t.call("POST", "/api/v1/pipelines", {
        body: { spec: patientsSpec(), notify: { url } },
      });
      assert.equal(res.status, 400, url);
      const body = await res.json();
      assert.match(body.problems[0], /^notify\.url: /);
    }
    const ftp = await t.call("POST", "/api/v1/pipelines", {
      body: { spec: patientsSpec(), notify: { url: "ftp://files.clinic.test/x" } },
    });
    assert.deepEqual((await ftp.json()).problems, [
      'notify.url: "ftp://files.clinic.test/x" is not an http or https URL; give the full address, e.g. https://example.org/pyxgen-runs',
    ]);
    assert.deepEqual((await (await t.call("GET", "/api/v1/pipelines")).json()).pipelines, []);

    const p = await save(t);
    const res = await patch(t, p.id, { notify: { url: "javascript:alert(1)" } });
    assert.equal(res.status, 400);
    assert.match(
      (await res.json()).problems[0],
      /^notify\.url: "javascript:alert\(1\)" is not an http/,
    );
    assert.equal((await getPipeline(t.deps.kv, "clinic-a", p.id))?.notify, undefined);
  } finally {
    await t.close();
  }
});

Deno.test("the OpenAPI document describes PATCH, notification settings and the notification", async () => {
  const t = await testApp();
  try {
    const doc = await (await t.call("GET", "/api/openapi.json", { token: null })).json();
    const patchOp = doc.paths["/api/v1/pipelines/{id}"].patch;
    const schema = patchOp.requestBody.content["application/json"].schema;
    assert.deepEqual(Object.keys(schema.properties).sort(), ["notify", "schedule"]);
    assert.ok(patchOp.responses["404"]);
    const create = doc.paths["/api/v1/pipelines"].post.requestBody.content["application/json"];
    assert.ok(create.schema.properties.notify);
    assert.ok(doc.components.schemas.Run.properties.notification);
    assert.ok(doc.webhooks.runEnded.post);
  } finally {
    await t.close();
  }
});
