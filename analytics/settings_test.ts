import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import { getReportSettings, reportSettingsKey, setReportSettings } from "./settings.ts";

Deno.test("getReportSettings() gives 5 until an owner saves another threshold", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    assert.deepEqual(await getReportSettings(kv, "clinic-a"), { suppressBelow: 5 });
    assert.deepEqual(await setReportSettings(kv, "clinic-a", { suppressBelow: 11 }), {
      suppressBelow: 11,
    });
    assert.deepEqual(await getReportSettings(kv, "clinic-a"), { suppressBelow: 11 });
    assert.deepEqual(await getReportSettings(kv, "clinic-b"), { suppressBelow: 5 }, "per tenant");
    assert.deepEqual((await kv.get(reportSettingsKey("clinic-a"))).value, { suppressBelow: 11 });
  } finally {
    kv.close();
  }
});

Deno.test("setReportSettings() refuses a threshold below 1, above 100 or not whole, and keeps the old one", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await setReportSettings(kv, "clinic-a", { suppressBelow: 7 });
    for (const bad of [0, -3, 2.5, 101, "5", null]) {
      await assert.rejects(
        setReportSettings(kv, "clinic-a", { suppressBelow: bad }),
        (err: unknown) => err instanceof ConfigError && /suppressBelow: must be/.test(err.message),
        String(bad),
      );
    }
    await assert.rejects(setReportSettings(kv, "clinic-a", { suppressBelow: 5, extra: 1 }));
    assert.deepEqual(await getReportSettings(kv, "clinic-a"), { suppressBelow: 7 });
    // A value that does not pass the schema (written by hand) never lowers the threshold below 1.
    await kv.set(reportSettingsKey("clinic-a"), { suppressBelow: 0 });
    assert.deepEqual(await getReportSettings(kv, "clinic-a"), { suppressBelow: 5 });
  } finally {
    kv.close();
  }
});
