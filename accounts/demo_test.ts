import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listPipelines } from "../pipelines/store.ts";
import { drive } from "../routes/_testing.ts";
import { createKvQueue } from "../runs/kv_queue.ts";
import type { EngineDeps } from "../runs/engine.ts";
import { DEMO_EMAIL, DEMO_FILES, seedDemo } from "./demo.ts";
import { verifyLogin } from "./login.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("seedDemo() makes a demo owner who can sign in, copies the samples, and its example runs succeed; once", async () => {
  const kv = await Deno.openKv(":memory:");
  const queue = createKvQueue(kv);
  const dir = await Deno.makeTempDir();
  const deps: EngineDeps = {
    kv,
    queue,
    inputRoot: join(dir, "in"),
    outputRoot: join(dir, "out"),
    allowPrivateNetwork: false,
    budget: { rows: 500, ms: 2_000 },
    tenantFiles: true,
  };
  try {
    const seeded = await seedDemo(deps, ROOT);
    assert.ok(seeded);
    assert.equal(seeded.email, DEMO_EMAIL);
    assert.ok(seeded.password.length >= 12);
    const user = await verifyLogin(kv, DEMO_EMAIL, seeded.password, { ip: "127.0.0.1" });
    assert.equal(user.tenant, seeded.tenant);
    assert.equal(user.role, "owner");
    for (const file of DEMO_FILES) {
      const copied = await Deno.readFile(join(dir, "in", seeded.tenant, file));
      assert.deepEqual(copied, await Deno.readFile(join(ROOT, file)));
    }
    assert.equal((await listPipelines(kv, seeded.tenant)).length, 3);
    const ended = await Promise.all(seeded.runs.map((id) => drive(deps, seeded.tenant, id)));
    assert.deepEqual(ended.map((r) => r.status), ["succeeded", "succeeded", "succeeded"]);
    for (const run of ended) {
      assert.ok(run.counts.read > 0, run.pipeline);
      assert.equal(run.counts.written + run.counts.rejected, run.counts.read, run.pipeline);
    }
    assert.deepEqual(ended.map((r) => r.pipeline).sort(), [
      "clinic-patients",
      "synthea-immunizations",
      "synthea-patients",
    ]);
    // The second start finds the demo and seeds nothing more.
    assert.equal(await seedDemo(deps, ROOT), undefined);
    assert.equal((await listPipelines(kv, seeded.tenant)).length, 3);
  } finally {
    await queue.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
