import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import type { Row } from "../etl/types.ts";
import { AS_OF, feed, IDS, resourceBatch, tempDir } from "./_testing.ts";
import { reportCsv } from "./csv.ts";
import { finishReport } from "./finish.ts";
import { suppress } from "./suppress.ts";

Deno.test("reportCsv() quotes fields and neutralises formulas from the data", async () => {
  await using tmp = await tempDir();
  const rows: Row[] = Array.from({ length: 6 }, (_, i) => ({
    resourceType: "Patient",
    id: `p${i}`,
    gender: "female",
    address: [{ state: i < 3 ? '=HYPERLINK("http://x","y")' : 'Rhode Island, "RI"' }],
  }));
  const batch = resourceBatch(rows, "=cmd|' /C calc'!A0");
  const { state, store } = await feed([batch], `${tmp.dir}/run.sqlite`);
  const report = finishReport(state, store, { ids: IDS, generatedAt: AS_OF });
  store.close();
  const csv = reportCsv(suppress(report, 3));
  assert.ok(csv.startsWith("section,dimension,category,label,value\r\n"));
  assert.ok(csv.endsWith("\r\n"));
  const table: string[][] = parse(csv, { from_line: 2 });
  assert.ok(table.every((r) => r.length === 5));
  const states = table.filter((r) => r[1] === "state").map((r) => [r[2], r[4]]);
  assert.deepEqual(states, [['\'=HYPERLINK("http://x","y")', "3"], ['Rhode Island, "RI"', "3"]]);
  const source = table.find((r) => r[0] === "records" && r[1] === "source")!;
  assert.equal(source[2], "'=cmd|' /C calc'!A0");
  assert.deepEqual(table.find((r) => r[1] === "completeness.telecom" && r[2] === "share"), [
    "patients",
    "completeness.telecom",
    "share",
    "",
    "0",
  ]);
  // No cell of the table starts like a formula.
  assert.ok(table.flat().every((cell) => !/^[=+@\t\r]/.test(cell) && !/^-[^0-9]/.test(cell)));
});
