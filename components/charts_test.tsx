import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { BarChart, countText, LineChart } from "./charts.tsx";

const rects = (svg: string) =>
  [...svg.matchAll(/<rect [^>]*width="([^"]+)"[^>]*class="(bar|bar-hidden)"/g)].map((m) => ({
    width: m[1],
    hidden: m[2] === "bar-hidden",
  }));

Deno.test("BarChart() draws shown counts to scale and every hidden one at the same short width", () => {
  const svg = renderToString(
    <BarChart
      id="t"
      title="Patients by race"
      desc="…"
      bars={[
        { label: "White", count: 97 },
        { label: "Black", count: "≥5" },
        { label: "Asian", count: "<5" },
        { label: "Other", count: 0 },
        { label: "Half", count: 48.5 },
      ]}
    />,
  );
  assert.deepEqual(rects(svg), [
    { width: "82.00%", hidden: false },
    { width: "2.50%", hidden: true },
    { width: "2.50%", hidden: true },
    { width: "0.00%", hidden: false },
    { width: "41.00%", hidden: false },
  ]);
  assert.match(svg, /<title id="t-title">Patients by race<\/title>/);
  assert.match(svg, /role="img" aria-labelledby="t-title t-desc"/);
  assert.match(svg, />&lt;5<\/text>/);
  assert.match(svg, /fill="url\(#t-hatch\)"/);
  assert.equal(/style=/.test(svg), false, "no inline style: the CSP would block it");
});

Deno.test("LineChart() breaks the line at hidden months and marks them on the axis", () => {
  const svg = renderToString(
    <LineChart
      id="m"
      title="Per month"
      desc="…"
      points={[
        { key: "2024-01", count: 10 },
        { key: "2024-02", count: 12 },
        { key: "2024-03", count: "<5" },
        { key: "2024-04", count: 8 },
        { key: "2024-05", count: undefined },
        { key: "2024-06", count: 20 },
        { key: "2024-07", count: 22 },
      ]}
      tick={(key) => (key.endsWith("-01") ? key.slice(0, 4) : undefined)}
    />,
  );
  const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(lines, ["0,20 1,18", "5,10 6,8"], "y counts down from the axis top, 30");
  assert.equal((svg.match(/class="mark-hidden"/g) ?? []).length, 2);
  assert.equal((svg.match(/class="dot"/g) ?? []).length, 1, "April stands alone");
  assert.match(svg, /<text x="3.000%" y="218" text-anchor="middle">2024<\/text>/);
  assert.equal(/style=/.test(svg), false);
});

Deno.test("countText() writes thousands with commas and hidden counts as they are", () => {
  assert.equal(countText(1506), "1,506");
  assert.equal(countText("<5"), "<5");
  assert.equal(countText("withheld"), "withheld");
});
