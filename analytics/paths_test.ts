import assert from "node:assert/strict";
import { analyticsPaths, safeSegment } from "./paths.ts";

Deno.test("analyticsPaths() keeps plain ids readable", () => {
  assert.deepEqual(
    analyticsPaths("/data/analytics", { tenant: "clinic-a", pipeline: "p_1", run: "r1" }),
    {
      store: "/data/analytics/clinic-a/runs/r1.sqlite",
      report: "/data/analytics/clinic-a/runs/r1.report.json",
      latest: "/data/analytics/clinic-a/pipelines/p_1/latest.sqlite",
    },
  );
});

Deno.test("safeSegment() never leaves its folder and keeps different ids apart", () => {
  const names = ["../../etc", "Clinic A/B", "Clinic A_B", "Clinic_A_B", "", "é"];
  const segments = names.map(safeSegment);
  assert.equal(new Set(segments).size, names.length);
  for (const s of segments) assert.match(s, /^[A-Za-z0-9_-]+$/);
});
