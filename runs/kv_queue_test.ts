// Handlers are async by contract; most test handlers only record what they got.
// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import type { StepMessage } from "./job_queue.ts";
import { createKvQueue, type KvQueueOptions } from "./kv_queue.ts";
import { sleep, step, waitFor } from "./_queue_testing.ts";

/** A KV queue over an in-memory KV with fast retries, closed (queue, then KV) after `fn`. */
async function withQueue(
  fn: (ctx: {
    kv: Deno.Kv;
    queue: ReturnType<typeof createKvQueue>;
    logs: string[];
  }) => Promise<void>,
  options: KvQueueOptions = {},
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const logs: string[] = [];
  const queue = createKvQueue(kv, {
    backoffSchedule: [50, 50, 50],
    deadLetterCheckMs: 50,
    log: (line) => logs.push(line),
    ...options,
  });
  try {
    await fn({ kv, queue, logs });
  } finally {
    await queue.close();
    kv.close();
  }
}

Deno.test("kv queue: a step staged in a committed commit is delivered once", async () => {
  await withQueue(async ({ kv, queue }) => {
    const got: StepMessage[] = [];
    queue.listen(async (msg) => {
      got.push(msg);
    }, async () => {});
    const msg = step("run-a");
    const op = kv.atomic().set(["runs", "run-a"], { seq: 1 });
    queue.stage(op, msg);
    assert.equal((await op.commit()).ok, true);
    await queue.published(msg);
    await waitFor(() => got.length === 1, "the delivery");
    await sleep(200);
    assert.deepEqual(got, [msg]);
  });
});

Deno.test("kv queue: a step staged in a commit whose check failed is never delivered", async () => {
  await withQueue(async ({ kv, queue }) => {
    const got: string[] = [];
    queue.listen(async (msg) => {
      got.push(msg.id);
    }, async () => {});
    await kv.set(["runs", "run-b"], { seq: 1 });
    const stale = { key: ["runs", "run-b"], versionstamp: null };
    const lost = kv.atomic().check(stale).set(["runs", "run-b"], { seq: 2 });
    queue.stage(lost, step("run-b", 1));
    assert.equal((await lost.commit()).ok, false);
    // A second, committed step proves the listener ran while the first never arrived.
    const op = kv.atomic();
    queue.stage(op, step("run-b", 2));
    await op.commit();
    await waitFor(() => got.length > 0, "the committed step");
    await sleep(200);
    assert.deepEqual(got, ["run-b:2"]);
  });
});

Deno.test("kv queue: a step that throws twice is retried and succeeds on the third delivery", async () => {
  await withQueue(async ({ kv, queue }) => {
    let deliveries = 0;
    let done = false;
    const dead: string[] = [];
    queue.listen(async () => {
      deliveries++;
      if (deliveries <= 2) throw new Error("source answered 503");
      done = true;
    }, async (msg) => {
      dead.push(msg.id);
    });
    const op = kv.atomic();
    queue.stage(op, step("run-c"));
    await op.commit();
    await waitFor(() => done, "the third delivery");
    await sleep(300);
    assert.equal(deliveries, 3);
    assert.deepEqual(dead, []);
  });
});

Deno.test("kv queue: a step that always throws reaches onDead exactly once with its reason", async () => {
  await withQueue(async ({ kv, queue }) => {
    let deliveries = 0;
    const dead: { msg: StepMessage; reason: string }[] = [];
    queue.listen(async () => {
      deliveries++;
      throw new Error("table patients does not exist");
    }, async (msg, reason) => {
      dead.push({ msg, reason });
    });
    const msg = step("run-d", 3);
    const op = kv.atomic();
    queue.stage(op, msg);
    await op.commit();
    await waitFor(() => dead.length === 1, "the dead letter");
    await sleep(300);
    assert.equal(deliveries, 4);
    assert.equal(dead.length, 1);
    assert.deepEqual(dead[0].msg, msg);
    assert.equal(
      dead[0].reason,
      "The step failed 4 times and gave up; last error: table patients does not exist",
    );
    // Handed over and cleaned up: nothing left for the next sweep.
    assert.equal(await queue.checkDead(), 0);
    assert.equal((await kv.get(["dead_steps", msg.id])).value, null);
  });
});

Deno.test("kv queue: an onDead that throws is retried on the next check", async () => {
  await withQueue(async ({ kv, queue, logs }) => {
    let calls = 0;
    queue.listen(() => Promise.reject(new Error("boom")), async () => {
      calls++;
      if (calls === 1) throw new Error("KV busy");
    });
    const op = kv.atomic();
    queue.stage(op, step("run-e"));
    await op.commit();
    await waitFor(() => calls === 2, "the second onDead");
    await sleep(200);
    assert.equal(calls, 2);
    assert.ok(logs.some((l) => l.includes("Could not record the failed step run-e:0")));
  });
});

Deno.test("kv queue: delayMs holds the delivery back", async () => {
  await withQueue(async ({ kv, queue }) => {
    let deliveredAt = 0;
    queue.listen(async () => {
      deliveredAt = Date.now();
    }, async () => {});
    const op = kv.atomic();
    queue.stage(op, step("run-f"), { delayMs: 400 });
    const committedAt = Date.now();
    await op.commit();
    await waitFor(() => deliveredAt > 0, "the delayed delivery");
    assert.ok(deliveredAt - committedAt >= 380, `delivered after ${deliveredAt - committedAt} ms`);
  });
});

Deno.test("kv queue: a message that is not a step is consumed and logged", async () => {
  await withQueue(async ({ kv, queue, logs }) => {
    const got: string[] = [];
    queue.listen(async (msg) => {
      got.push(msg.id);
    }, async () => {});
    await kv.enqueue({ kind: "webhook", id: 1 });
    const op = kv.atomic();
    queue.stage(op, step("run-g"));
    await op.commit();
    await waitFor(() => got.length === 1 && logs.length === 1, "both messages");
    assert.deepEqual(got, ["run-g:0"]);
    assert.match(logs[0], /not a step message/);
  });
});

Deno.test("kv queue: throughput of 1000 steps (measured, printed)", async () => {
  await withQueue(async ({ kv, queue }) => {
    const seen = new Set<string>();
    queue.listen(async (msg) => {
      seen.add(msg.id);
    }, async () => {});
    const started = performance.now();
    for (let i = 0; i < 1000; i += 50) {
      const op = kv.atomic();
      for (let j = i; j < i + 50; j++) queue.stage(op, step("run-h", j));
      await op.commit();
    }
    await waitFor(() => seen.size === 1000, "1000 steps", 15_000);
    const secs = (performance.now() - started) / 1000;
    console.log(`kv queue: ${Math.round(1000 / secs)} steps/s end to end`);
  });
});
