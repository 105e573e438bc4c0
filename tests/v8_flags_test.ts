import assert from "node:assert/strict";

// The engine's peak RSS depends on this flag (README, "Native code and V8 flags"): without it V8
// pretenured batch rows in about half of the runs and a 1M-patient run peaked at 240–268 MB.
const FLAG = "--v8-flags=--no-allocation-site-pretenuring";

Deno.test("the tasks that run the engine start Deno without allocation-site pretenuring", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  for (
    const [task, script] of [
      ["start", "main.ts"],
      ["worker", "worker.ts"],
      ["etl", "cli.ts"],
      ["examples", "examples/run.ts"],
    ]
  ) {
    const command: string = config.tasks[task];
    assert.ok(command.includes(`${FLAG} ${script}`), `task "${task}" runs ${script} with ${FLAG}`);
  }
  const bench = await Deno.readTextFile(new URL("../bench/run.ts", import.meta.url));
  assert.match(bench, /ENGINE_V8_FLAGS = "--no-allocation-site-pretenuring"/);
});
