import assert from "node:assert/strict";
import { listAudit } from "../audit/log.ts";
import { runOrigins } from "../pipelines/start.ts";
import { drive } from "../routes/_testing.ts";
import { getRun } from "../runs/engine.ts";
import {
  clinicPipeline,
  invited,
  postForm,
  startRunOf,
  textOf,
  withPages,
} from "./_pages_testing.ts";

Deno.test("run page: the funnel, the sentence that adds up, the rejected row and the manifest", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const runId = await startRunOf(t, owner, await clinicPipeline(t, owner));
    assert.equal((await drive(t.deps, owner.tenant, runId)).status, "succeeded");

    const res = await t.call("GET", `/app/runs/${runId}`, { as: owner });
    assert.equal(res.status, 200);
    const html = await res.text();
    const text = textOf(html);
    assert.match(text, /30 rows read: 29 written, 1 rejected at normalize\./);
    // Every stage of the funnel with its count, rejected apart.
    for (const [stage, n] of [["read", 30], ["normalized", 29], ["valid", 29], ["written", 29]]) {
      assert.match(
        html,
        new RegExp(`data-stage="${stage}"[\\s\\S]*?funnel-count num">${n}<`),
        `${stage} should show ${n}`,
      );
    }
    assert.match(html, /data-stage="rejected"[\s\S]*?funnel-count num">1</);
    // The rejected row with where it came from and why.
    assert.match(text, /Rows that could not be used/);
    assert.match(
      text,
      /clinic\.csv, line 30 normalize column "dob": "1994-02-30" is not a valid date/,
    );
    // Who started it, the manifest in words and as JSON, the Download and Report links.
    assert.match(text, new RegExp(`Started by ${owner.email.replace(/[.]/g, "\\.")}`));
    assert.match(text, /Pipeline fingerprint sha256:[0-9a-f]{64}/);
    assert.match(html, /<details class="raw"><summary>Show the manifest as JSON<\/summary>/);
    assert.match(html, new RegExp(`href="/api/v1/runs/${runId}/output"`));
    assert.match(html, new RegExp(`href="/app/runs/${runId}/report"`));
    // A finished run loads no island and has no live-data block.
    assert.doesNotMatch(html, /run_status\.js|run-status-data/);

    // The Download link works with the session cookie and gives the CSV the run wrote.
    const file = await t.call("GET", `/api/v1/runs/${runId}/output`, { as: owner });
    assert.equal(file.status, 200);
    const csv = await file.text();
    assert.equal(csv.trim().split("\r\n").length, 30, "a header and 29 rows");
    assert.match(csv, /^mrn,first_name,last_name,dob/);

    const report = await t.call("GET", `/app/runs/${runId}/report`, { as: owner });
    assert.match(await report.text(), /<h1>Report of clinic-patients<\/h1>/);
  }));

Deno.test("run page: rejected rows download as an RFC 4180 CSV with formulas neutralised", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    // A file name a spreadsheet would run as a formula: it is each row's source.
    const id = await clinicPipeline(t, owner, { file: "=HYPERLINK(1,2).csv" });
    const runId = await startRunOf(t, owner, id);
    await drive(t.deps, owner.tenant, runId);

    const res = await t.call("GET", `/app/runs/${runId}/rejected.csv`, { as: owner });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.match(
      res.headers.get("content-disposition") ?? "",
      new RegExp(`attachment; filename="rejected-rows-${runId}\\.csv"`),
    );
    assert.equal(
      await res.text(),
      "source,line,key,index,stage,reason\r\n" +
        `"'=HYPERLINK(1,2).csv",30,,,normalize,"column ""dob"": ""1994-02-30"" is not a valid date"\r\n`,
    );
  }));

Deno.test("run page: Cancel stops a queued run (audited), Run again starts a new one by the member", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const runId = await startRunOf(t, owner, await clinicPipeline(t, owner));
    const live = await (await t.call("GET", `/app/runs/${runId}`, { as: owner })).text();
    // A queued run: the island, its data block, the noscript Refresh link and Cancel.
    assert.match(live, /src="\/static\/build\/run_status\.js"/);
    assert.match(live, /<script type="application\/json" id="run-status-data">\{/);
    assert.match(live, /<noscript>[\s\S]*Refresh[\s\S]*<\/noscript>/);
    assert.match(live, /Waiting for its turn: no rows read yet\./);
    assert.match(live, /<button type="submit" class="danger">Cancel run<\/button>/);

    const cancel = await postForm(t, owner, `/app/runs/${runId}/cancel`);
    assert.equal(cancel.status, 303);
    assert.equal(cancel.headers.get("location"), `/app/runs/${runId}?done=cancelled`);
    assert.equal((await getRun(t.kv, owner.tenant, runId))?.status, "cancelled");
    const after = textOf(
      await (await t.call("GET", `/app/runs/${runId}?done=cancelled`, {
        as: owner,
      })).text(),
    );
    assert.match(after, /The run was cancelled\./);
    assert.match(after, /Run again/);
    const { entries } = await listAudit(t.kv, owner.tenant);
    assert.ok(entries.some((e) => e.action === "run.cancelled" && e.target === runId));

    // Cancelling again says why it cannot, on the page.
    const again = await postForm(t, owner, `/app/runs/${runId}/cancel`);
    assert.equal(again.status, 409);
    assert.match(textOf(await again.text()), /The run already ended \(cancelled\); only queued/);

    const rerun = await postForm(t, owner, `/app/runs/${runId}/rerun`);
    assert.equal(rerun.status, 303);
    const next = /^\/app\/runs\/([\w-]+)\?done=started$/.exec(rerun.headers.get("location")!)![1];
    assert.notEqual(next, runId);
    const [origin] = await runOrigins(t.kv, owner.tenant, [next]);
    assert.equal(origin?.trigger, "rerun");
    assert.equal(origin?.rerunOf, runId);
    assert.equal(origin?.by, owner.email);
    assert.equal((await drive(t.deps, owner.tenant, next)).status, "succeeded");
  }));

Deno.test("run pages: a viewer sees the run but gets 403 pages for Cancel and Run again", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const viewer = await invited(t, owner, "viewer");
    const runId = await startRunOf(t, owner, await clinicPipeline(t, owner));
    const page = await t.call("GET", `/app/runs/${runId}`, { as: viewer });
    assert.equal(page.status, 200);
    assert.doesNotMatch(await page.text(), /Cancel run/);

    const cancel = await postForm(t, viewer, `/app/runs/${runId}/cancel`);
    assert.equal(cancel.status, 403);
    assert.match(textOf(await cancel.text()), /Only editors and owners can open this page/);
    assert.equal((await getRun(t.kv, owner.tenant, runId))?.status, "queued");
    assert.equal((await postForm(t, viewer, `/app/runs/${runId}/rerun`)).status, 403);
    // A form without its CSRF token is refused too, even for the owner.
    const forged = await t.call("POST", `/app/runs/${runId}/cancel`, {
      as: owner,
      csrf: false,
      form: {},
    });
    assert.equal(forged.status, 403);
    assert.equal((await getRun(t.kv, owner.tenant, runId))?.status, "queued");
  }));

Deno.test("run pages: another organisation's run is a 404 page, its rejected rows too", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const other = await t.signUp();
    const runId = await startRunOf(t, owner, await clinicPipeline(t, owner));
    await drive(t.deps, owner.tenant, runId);
    for (const path of [`/app/runs/${runId}`, `/app/runs/${runId}/rejected.csv`]) {
      const res = await t.call("GET", path, { as: other });
      assert.equal(res.status, 404, path);
      assert.match(textOf(await res.text()), new RegExp(`There is no run with id "${runId}"`));
    }
    assert.equal((await postForm(t, other, `/app/runs/${runId}/cancel`)).status, 404);
    assert.equal((await t.call("GET", "/app/runs/not%20an%20id", { as: owner })).status, 404);
  }));

Deno.test("runs list: every run newest first, paged with Older runs", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const id = await clinicPipeline(t, owner);
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) ids.push(await startRunOf(t, owner, id));
    const first = await (await t.call("GET", "/app/runs", { as: owner })).text();
    const shown = [...first.matchAll(/href="\/app\/runs\/([\w-]+)"/g)].map((m) => m[1]);
    assert.deepEqual(shown, ids.slice(2).reverse());
    const older = /href="\/app\/runs\?cursor=([^"]+)"/.exec(first);
    assert.ok(older, "an Older runs link");
    const second = await (await t.call("GET", `/app/runs?cursor=${older[1]}`, { as: owner }))
      .text();
    const rest = [...second.matchAll(/href="\/app\/runs\/([\w-]+)"/g)].map((m) => m[1]);
    assert.deepEqual(rest, ids.slice(0, 2).reverse());
  }));

Deno.test("run page: a failed run says why in a sentence, and offers no download", () =>
  withPages(async (t) => {
    const owner = await t.signUp();
    const id = await clinicPipeline(t, owner, { file: "gone.csv" });
    await Deno.remove(`${t.deps.inputRoot}/${owner.tenant}/gone.csv`);
    const runId = await startRunOf(t, owner, id);
    assert.equal((await drive(t.deps, owner.tenant, runId)).status, "failed");
    const html = await (await t.call("GET", `/app/runs/${runId}`, { as: owner })).text();
    const text = textOf(html);
    assert.match(text, /Why it failed: .*gone\.csv/);
    assert.match(text, /No rows were read before the run failed\./);
    assert.doesNotMatch(html, /\/output"|Stack|at [\w.]+ \(/);
  }));
