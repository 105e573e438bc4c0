import assert from "node:assert/strict";
import { LINE_MONTHS, monthPoints, monthText } from "./ReportImmunizations.tsx";

Deno.test("monthPoints() fills months without immunizations with 0, unless months were withheld", () => {
  const cells = [
    { key: "2023-11", count: 12 },
    { key: "2024-01", count: "<5" },
    { key: "2024-??", count: 7 },
  ];
  assert.deepEqual(monthPoints({ cells }), [
    { key: "2023-11", count: 12 },
    { key: "2023-12", count: 0 },
    { key: "2024-01", count: "<5" },
  ]);
  assert.equal(monthPoints({ cells, withheld: true })[1].count, undefined, "maybe withheld");
  assert.deepEqual(monthPoints({ cells: [] }), []);
});

Deno.test("monthPoints() keeps the latest 60 months", () => {
  const points = monthPoints({
    cells: [{ key: "1962-03", count: 9 }, { key: "2022-09", count: 20 }],
  });
  assert.equal(points.length, LINE_MONTHS);
  assert.deepEqual(points[0], { key: "2017-10", count: 0 });
  assert.deepEqual(points.at(-1), { key: "2022-09", count: 20 });
});

Deno.test("monthText() names months for people", () => {
  assert.equal(monthText("2019-03"), "Mar 2019");
  assert.equal(monthText("2019-??"), "2019, month not given");
  assert.equal(monthText("(none)"), "Not recorded");
});
