import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { reportCsv } from "../analytics/csv.ts";
import type { Distribution, Report } from "../analytics/report.ts";
import { invited, postForm, textOf } from "../web/_pages_testing.ts";
import type { Browser } from "../web/_testing.ts";
import { EXAMPLE, type ReportsApp, reportsApp, runPipeline } from "./_reports_testing.ts";
import {
  assertHides,
  assertPageHides,
  csvCounts,
  jsonCounts,
  pageTables,
} from "./_reports_scan.ts";
import { ROOT } from "./_testing.ts";

type Row = Record<string, string>;
const SAMPLE = join(ROOT, "data/samples/synthea");
const SHARED = join(ROOT, "../shared/data/synthea-sample");
const readCsv = (name: string): Row[] =>
  parse(Deno.readTextFileSync(join(SAMPLE, name)), { columns: true, skip_empty_lines: true });

function tally(rows: Row[], key: (r: Row) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

const asRecord = (d: Distribution<unknown>) =>
  Object.fromEntries(d.cells.map((c) => [c.key, c.count]));

/** `shown` is `exact` with small counts hidden: each cell equal, "<k" (1…k−1) or "≥k" (≥ k). */
function assertSuppressedFrom(
  shown: Record<string, unknown>,
  exact: Record<string, number>,
  k: number,
  what: string,
) {
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(exact).sort(), what);
  for (const [key, n] of Object.entries(exact)) {
    const v = shown[key];
    if (typeof v === "number") assert.equal(v, n, `${what} ${key}`);
    else if (v === `<${k}`) assert.ok(n >= 1 && n < k, `${what} ${key}: ${n} shown as ${v}`);
    else assert.ok(v === `≥${k}` && n >= k, `${what} ${key}: ${n} shown as ${v}`);
  }
}

async function json(t: ReportsApp, path: string, as: Browser) {
  const res = await t.call("GET", path, { as });
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json();
}

async function text(t: ReportsApp, path: string, as: Browser, status = 200) {
  const res = await t.call("GET", path, { as });
  const body = await res.text();
  assert.equal(res.status, status, body.slice(0, 300));
  return { body, type: res.headers.get("Content-Type") ?? "", res };
}

Deno.test("the report of the two Synthea example pipelines counts what the CSV files hold, and hides counts below the tenant's threshold in the JSON, the CSV and the pages", async () => {
  // data/samples/synthea is the shared Synthea sample, file for file (where that is beside us).
  const shared = await Deno.stat(SHARED).then(() => true, () => false);
  for (const name of shared ? ["patients.csv", "immunizations.csv"] : []) {
    assert.deepEqual(
      await Deno.readFile(join(SAMPLE, name)),
      await Deno.readFile(join(SHARED, name)),
      name,
    );
  }
  const patients = readCsv("patients.csv");
  const immunizations = readCsv("immunizations.csv");
  const gender = tally(patients, (p) => ({ M: "male", F: "female" })[p.GENDER]!);
  const race = tally(
    patients,
    (p) => ({ white: "2106-3", black: "2054-5", asian: "2028-9" })[p.RACE]!,
  );
  const byCvx = tally(immunizations, (i) => i.CODE);
  const byYear = tally(immunizations, (i) => i.DATE.slice(0, 4));

  const t = await reportsApp();
  try {
    const owner = await t.signUp();
    const p = await runPipeline(t, owner, EXAMPLE.patients);
    const im = await runPipeline(t, owner, EXAMPLE.immunizations);

    // Threshold 1 hides nothing: the exact counts, as the CSV files have them.
    const set = (suppressBelow: number) =>
      t.call("PUT", "/api/v1/settings/report", { as: owner, body: { suppressBelow } });
    assert.equal((await set(1)).status, 200);
    const exactP: Report = await json(t, `/api/v1/runs/${p.run.id}/report`, owner);
    assert.deepEqual(asRecord(exactP.patients!.gender), gender);
    assert.deepEqual(asRecord(exactP.patients!.race), race);
    const exactI: Report = await json(t, `/api/v1/runs/${im.run.id}/report`, owner);
    assert.deepEqual(asRecord(exactI.immunizations!.byVaccine), byCvx);
    assert.deepEqual(asRecord(exactI.immunizations!.byYear), byYear);
    const tenantExact: Report = await json(t, "/api/v1/report", owner);
    assert.deepEqual(asRecord(tenantExact.records.byType), { Patient: 115, Immunization: 1506 });
    assert.deepEqual(asRecord(tenantExact.patients!.gender), gender);
    assert.deepEqual(asRecord(tenantExact.immunizations!.byVaccine), byCvx);
    assert.deepEqual(asRecord(tenantExact.immunizations!.byYear), byYear);
    // The page shows the same numbers.
    const page1 = (await text(t, `/app/runs/${p.run.id}/report`, owner)).body;
    const genderTable = pageTables(page1).find((x) => x.dimension === "gender")!;
    assert.deepEqual(Object.fromEntries(genderTable.rows), {
      Male: String(gender.male),
      Female: String(gender.female),
    });

    // Threshold 11: some race, ethnicity, year and month counts are below it.
    const k = 11;
    const changed = await set(k);
    assert.deepEqual(await changed.json(), { suppressBelow: k });
    const runP: Report = await json(t, `/api/v1/runs/${p.run.id}/report`, owner);
    const runI: Report = await json(t, `/api/v1/runs/${im.run.id}/report`, owner);
    const tenant: Report & { runs: { pipeline: string }[] } = await json(
      t,
      "/api/v1/report",
      owner,
    );
    assert.deepEqual(tenant.runs.map((r) => r.pipeline), [
      "synthea-patients",
      "synthea-immunizations",
    ]);
    for (
      const [what, r] of [["patients run", runP], ["immunizations run", runI], [
        "tenant",
        tenant,
      ]] as const
    ) {
      assert.equal(r.suppression.threshold, k);
      assertHides(jsonCounts(r), k, `JSON of the ${what}`);
    }
    assertSuppressedFrom(asRecord(runP.patients!.gender), gender, k, "gender");
    assertSuppressedFrom(asRecord(runP.patients!.race), race, k, "race");
    assertSuppressedFrom(asRecord(runI.immunizations!.byVaccine), byCvx, k, "vaccine");
    assertSuppressedFrom(asRecord(runI.immunizations!.byYear), byYear, k, "year");
    assertSuppressedFrom(asRecord(tenant.immunizations!.byYear), byYear, k, "tenant year");
    assert.equal(asRecord(runP.patients!.race)["2028-9"], "<11", "7 Asian patients");

    // The CSV downloads hold exactly the suppressed numbers.
    const csvP = await text(t, `/api/v1/runs/${p.run.id}/report.csv`, owner);
    assert.match(csvP.type, /^text\/csv/);
    assert.equal(
      csvP.res.headers.get("Content-Disposition"),
      `attachment; filename="report-${p.run.id}.csv"`,
    );
    assert.equal(csvP.body, reportCsv(runP));
    assert.ok(csvP.body.includes("\r\npatients,race,2028-9,Asian,<11\r\n"));
    const csvI = await text(t, `/api/v1/runs/${im.run.id}/report.csv`, owner);
    assert.equal(csvI.body, reportCsv(runI));
    const csvT = await text(t, "/api/v1/report?format=csv", owner);
    assert.equal(csvT.body, reportCsv(tenant));
    for (const [what, csv] of [["patients", csvP], ["immunizations", csvI], ["tenant", csvT]]) {
      assertHides(csvCounts((csv as { body: string }).body), k, `CSV of the ${what} report`);
    }

    // The pages: every count, chart label and table; no "<11" can be worked out from totals.
    let pinnedChecked = 0;
    for (
      const [what, path] of [
        ["patients run page", `/app/runs/${p.run.id}/report`],
        ["immunizations run page", `/app/runs/${im.run.id}/report`],
        ["tenant report page", "/app/report"],
      ]
    ) {
      const page = await text(t, path, owner);
      assert.match(page.type, /^text\/html/);
      assert.ok(page.body.includes("Counts from 1 to 10 are shown as"), what);
      assert.equal(/ style=/.test(page.body), false, `${what}: no inline styles (CSP)`);
      pinnedChecked += assertPageHides(page.body, k, what);
    }
    assert.ok(
      pinnedChecked >= 10,
      `only ${pinnedChecked} hidden cells were checked against totals`,
    );

    // Both CSV downloads and the threshold changes are in the audit log.
    const audit = await json(t, "/api/v1/audit?limit=100", owner);
    const actions = audit.entries.map((e: { action: string; detail?: Record<string, unknown> }) =>
      `${e.action} ${e.detail?.file ?? e.detail?.suppressBelow ?? ""}`
    );
    assert.ok(actions.includes(`download report-${p.run.id}.csv`), actions.join("\n"));
    assert.ok(
      actions.includes(`download report-${owner.tenant}-${tenant.generatedAt.slice(0, 10)}.csv`),
    );
    assert.ok(actions.includes("settings.changed 11"));
  } finally {
    await t.close();
  }
});

Deno.test("a viewer reads reports, another tenant gets 404, and a run without a report says why", async () => {
  const t = await reportsApp();
  try {
    const owner = await t.signUp();
    const viewer = await invited(t, owner, "viewer");
    const stranger = await t.signUp();
    const { run } = await runPipeline(t, owner, EXAMPLE.patients);
    const json = `/api/v1/runs/${run.id}/report`;

    assert.equal((await text(t, json, viewer)).body.includes('"reportVersion":1'), true);
    assert.match((await text(t, `${json}.csv`, viewer)).body, /^section,dimension,category/);
    const page = await text(t, `/app/runs/${run.id}/report`, viewer);
    assert.ok(page.body.includes("Patients by gender"));
    const tenantPage = await text(t, "/app/report", viewer);
    assert.ok(tenantPage.body.includes("Owners of your organisation can change the threshold."));
    assert.equal(tenantPage.body.includes('name="suppressBelow"'), false);
    assert.deepEqual(
      await (await t.call("GET", "/api/v1/settings/report", { as: viewer })).json(),
      {
        suppressBelow: 5,
      },
    );
    const refused = await t.call("PUT", "/api/v1/settings/report", {
      as: viewer,
      body: { suppressBelow: 11 },
    });
    assert.equal(refused.status, 403);
    assert.match((await refused.json()).error, /Only owners may do this; your role is viewer/);
    assert.equal(
      (await postForm(t, viewer, "/app/report/settings", { suppressBelow: "11" })).status,
      403,
    );

    // Another tenant: the same 404 as for a run that does not exist.
    for (const path of [json, `${json}.csv`]) {
      const res = await t.call("GET", path, { as: stranger });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: `There is no run with id "${run.id}".` });
    }
    const theirs = await text(t, `/app/runs/${run.id}/report`, stranger, 404);
    assert.ok(theirs.body.includes(`There is no run with id &quot;${run.id}&quot;.`));
    assert.equal(theirs.body.includes("Patients by gender"), false);
    const none = await t.call("GET", "/api/v1/report", { as: stranger });
    assert.equal(none.status, 404);
    assert.match((await none.json()).error, /^There is no report yet/);
    assert.ok((await text(t, "/app/report", stranger)).body.includes("There is no report yet"));

    // Report turned off: the run succeeds and the answer says why there is no report.
    const off = await runPipeline(t, owner, { ...EXAMPLE.patients, analytics: { enabled: false } });
    const res = await t.call("GET", `/api/v1/runs/${off.run.id}/report`, { as: owner });
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /has its report turned off/);
    const offPage = await text(t, `/app/runs/${off.run.id}/report`, owner, 404);
    assert.ok(offPage.body.includes("has its report turned off"));
    assert.ok(offPage.body.includes(`href="/app/runs/${off.run.id}"`), "a way back to the run");

    // Not run yet: queued.
    const made = await t.call("POST", "/api/v1/pipelines", {
      as: owner,
      body: { spec: { ...EXAMPLE.patients, name: "later" } },
    });
    const started = await t.call("POST", `/api/v1/pipelines/${(await made.json()).id}/runs`, {
      as: owner,
    });
    const queued = await t.call("GET", `/api/v1/runs/${(await started.json()).runId}/report`, {
      as: owner,
    });
    assert.equal(queued.status, 404);
    assert.equal(
      (await queued.json()).error,
      "The run is still queued; its report is made when it succeeds.",
    );
  } finally {
    await t.close();
  }
});

Deno.test("owners set the threshold through the API or the report page; a wrong one is refused with a sentence", async () => {
  const t = await reportsApp();
  try {
    const owner = await t.signUp();
    const put = (body: unknown) => t.call("PUT", "/api/v1/settings/report", { as: owner, body });
    for (const bad of [0, 2.5, 101, "11"]) {
      const res = await put({ suppressBelow: bad });
      assert.equal(res.status, 400, String(bad));
      const answer = await res.json();
      assert.match(answer.problems[0], /^suppressBelow: must be/, String(bad));
    }
    assert.equal((await put({})).status, 400);
    assert.deepEqual(await (await t.call("GET", "/api/v1/settings/report", { as: owner })).json(), {
      suppressBelow: 5,
    });

    const wrong = await postForm(t, owner, "/app/report/settings", { suppressBelow: "0" });
    assert.equal(wrong.status, 400);
    const page = textOf(await wrong.text());
    assert.ok(
      page.includes('"0" is not a threshold you can use: give a whole number from 1 to 100.'),
    );
    assert.match(page, /Hide counts below/);
    const saved = await postForm(t, owner, "/app/report/settings", { suppressBelow: "11" });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get("Location"), "/app/report?done=settings#suppression-h");
    assert.deepEqual(await (await t.call("GET", "/api/v1/settings/report", { as: owner })).json(), {
      suppressBelow: 11,
    });
    const after = await text(t, "/app/report?done=settings", owner);
    assert.ok(after.body.includes("The threshold was saved."));
    assert.ok(after.body.includes('value="11"'));
    const audit = await (await t.call("GET", "/api/v1/audit", { as: owner })).json();
    const entry = audit.entries.find((e: { action: string }) => e.action === "settings.changed");
    assert.deepEqual(entry.detail, { suppressBelow: 11, was: 5 });
    assert.equal(entry.actor, owner.email);
  } finally {
    await t.close();
  }
});
