import assert from "node:assert/strict";
import { fold, type Measurement, table } from "./_results.ts";

function run(engine: string, seconds: number, peakRssMb: number, error?: string): Measurement {
  return {
    patients: 1_000_000,
    conversion: "parquet",
    engine,
    rows: 1_000_000,
    seconds,
    medianSeconds: seconds,
    runs: 1,
    wallSeconds: seconds,
    peakRssMb,
    outMb: 163,
    error,
  };
}

Deno.test("fold keeps the fastest time, the median and the largest peak RSS", () => {
  const m = fold([run("ours", 5, 170), run("ours", 4, 190), run("ours", 4.5, 160)]);
  assert.equal(m.seconds, 4);
  assert.equal(m.medianSeconds, 4.5);
  assert.equal(m.peakRssMb, 190);
  assert.equal(m.runs, 3);
});

Deno.test("fold reports a failed run as failed", () => {
  const m = fold([run("ours", 4, 170), run("ours", 0, 0, "disk full")]);
  assert.equal(m.error, "disk full");
});

Deno.test("the table judges the rows/s target and the ratio to DuckDB on two threads", () => {
  const ours = fold([run("ours", 4, 180), run("ours", 4.4, 170), run("ours", 5, 175)]);
  const duck = fold([run("duckdb 2t", 2.5, 600)]);
  const line = table([ours, duck]).split("\n").find((l) => l.includes("| ours |"))!;
  // 250k rows/s best, 227k median; 250k / 400k = 0.63 ≥ 250/410 = 0.61.
  assert.match(line, /\| 250k \(227k\) \|/);
  assert.match(line, /≥250k\/s ok, ≤200 MB ok; ≥0\.61× duckdb 2t ok/);
  const slower = table([ours, fold([run("duckdb 2t", 2, 600)])]);
  assert.match(slower, /≥0\.61× duckdb 2t MISS/); // 250k / 500k = 0.5
});
