import assert from "node:assert/strict";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { runView } from "../routes/views.ts";
import { newRun, type RunRecord } from "../runs/run_record.ts";
import { RunLive, statusLine } from "./RunLive.tsx";
import { formatDuration, formatTime, funnelSentence, rejectedText } from "./run_text.ts";

const counts = (read: number, rejected: Partial<Record<string, number>> = {}) => {
  const byStage = { read: 0, normalized: 0, mapped: 0, valid: 0, written: 0, ...rejected };
  const total = Object.values(byStage).reduce((a, b) => a + b, 0);
  return {
    counts: {
      read,
      normalized: read - byStage.read - byStage.normalized,
      mapped: read - byStage.read - byStage.normalized - byStage.mapped,
      valid: read - total + byStage.written,
      written: read - total,
      rejected: total,
    },
    rejectedByStage: byStage,
  };
};

Deno.test("funnelSentence() adds the rows up for every status", () => {
  assert.equal(
    funnelSentence({ status: "succeeded", ...counts(115, { normalized: 1 }) }),
    "115 rows read: 114 written, 1 rejected at normalize.",
  );
  assert.equal(
    funnelSentence({ status: "succeeded", ...counts(1_200, { normalized: 2, valid: 3 }) }),
    "1,200 rows read: 1,195 written, 5 rejected (2 at normalize, 3 at validation).",
  );
  assert.equal(
    funnelSentence({ status: "running", ...counts(5_000) }),
    "5,000 rows read so far: 5,000 written.",
  );
  assert.equal(
    funnelSentence({ status: "failed", ...counts(30, { mapped: 1 }) }),
    "30 rows read: 29 written, 1 rejected at mapping. Nothing was saved because the run failed.",
  );
  assert.equal(
    funnelSentence({ status: "queued", ...counts(0) }),
    "Waiting for its turn: no rows read yet.",
  );
  assert.equal(
    funnelSentence({ status: "failed", ...counts(0) }),
    "No rows were read before the run failed.",
  );
  assert.equal(
    funnelSentence({ status: "succeeded", ...counts(1) }),
    "1 row read: 1 written, 0 rejected.",
  );
  assert.equal(rejectedText(counts(10, { read: 1 }).rejectedByStage, 1), "1 rejected at read");
});

Deno.test("statusLine(), formatTime() and formatDuration() read as sentences", () => {
  assert.equal(statusLine("running", 12_300), "Running for 12 s.");
  assert.equal(statusLine("succeeded", 2_340), "Finished successfully in 2.3 s.");
  assert.equal(statusLine("cancelled", undefined), "Cancelled before it started.");
  assert.equal(formatDuration(185_000), "3 min 5 s");
  assert.equal(formatTime("2026-11-26T04:05:06.789Z"), "26 Nov 2026, 04:05:06 UTC");
});

function view(extra: Partial<RunRecord>) {
  const run = { ...newRun({ id: "r1", tenant: "t", pipeline: "p" }, new Date()), ...extra };
  return runView(run, undefined, (p) => p);
}

Deno.test("RunLive shows a percent bar when the source knows its total, else rows so far", () => {
  const props = { canEdit: true, csrf: "c", downloadable: false, now: Date.now() };
  const known = renderToString(h(RunLive, {
    ...props,
    run: view({ status: "running", total: 200, ...counts(50), steps: 3 }),
  }));
  assert.match(known, /<progress[^>]*max="100"[^>]*value="25"/);
  assert.match(known, /25% · 50 of 200 rows read/);
  assert.match(known, /Cancel run/);

  const unknown = renderToString(h(RunLive, {
    ...props,
    run: view({ status: "running", ...counts(7_000), steps: 2 }),
  }));
  assert.match(
    unknown,
    /<progress id="run-progress" aria-describedby="run-progress-label"><\/progress>/,
  );
  assert.match(unknown, /7,000 rows read so far \(step 2\)/);

  const failed = renderToString(h(RunLive, {
    ...props,
    canEdit: false,
    run: view({ status: "failed", error: "The file patients.csv is not there.", ...counts(0) }),
  }));
  assert.match(failed, /Why it failed:<\/strong> The file patients\.csv is not there\./);
  assert.doesNotMatch(failed, /<progress|Run again|Cancel run/);
});

Deno.test("RunLive says which stages have no step in the pipeline (rows pass through)", () => {
  const html = renderToString(h(RunLive, {
    canEdit: false,
    csrf: "c",
    downloadable: false,
    now: Date.now(),
    run: view({
      status: "succeeded",
      stages: ["read", "mapped", "valid", "written"],
      ...counts(115),
    }),
  }));
  const normalized = /data-stage="normalized".*?<\/li>/.exec(html)?.[0] ?? "";
  assert.match(normalized, /no step for this in the pipeline: rows pass through/);
  const mapped = /data-stage="mapped".*?<\/li>/.exec(html)?.[0] ?? "";
  assert.doesNotMatch(mapped, /no step/);
});
