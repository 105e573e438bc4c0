// Handlers are async by contract; most test handlers only record what they got.
// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { StepMessage } from "./job_queue.ts";
import { type BullMqQueueOptions, createBullMqQueue, jobIdOf } from "./bullmq_queue.ts";
import { sleep, step, waitFor } from "./_queue_testing.ts";

const URL = "redis://127.0.0.1:6379/0";

type Adapter = ReturnType<typeof createBullMqQueue>;

/**
 * `count` adapters on one in-memory KV and one fresh Redis prefix (fast retries and checks);
 * afterwards everything is closed and every Redis key of the prefix deleted.
 */
async function withQueues(
  count: number,
  fn: (ctx: { kv: Deno.Kv; queues: Adapter[]; logs: string[]; prefix: string }) => Promise<void>,
  options: Partial<BullMqQueueOptions> = {},
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const prefix = `test-${crypto.randomUUID()}`;
  const logs: string[] = [];
  const queues = Array.from({ length: count }, () =>
    createBullMqQueue(kv, {
      url: URL,
      prefix,
      backoffMs: 50,
      deadLetterCheckMs: 100,
      log: (line) => logs.push(line),
      ...options,
    }));
  try {
    await fn({ kv, queues, logs, prefix });
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    kv.close();
    await dropPrefix(prefix);
  }
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

/** Stage `msg` in a commit of its own, then publish it, as the engine does. */
async function send(kv: Deno.Kv, queue: Adapter, msg: StepMessage, delayMs?: number) {
  const op = kv.atomic().set(["runs", msg.run], { seq: msg.seq });
  queue.stage(op, msg, { delayMs });
  assert.equal((await op.commit()).ok, true);
  await queue.published(msg, { delayMs });
}

Deno.test("bullmq queue: a committed and published step is delivered once", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
    const got: StepMessage[] = [];
    queue.listen(async (msg) => {
      got.push(msg);
    }, async () => {});
    const msg = step("run-a");
    await send(kv, queue, msg);
    await waitFor(() => got.length === 1, "the delivery");
    await sleep(200);
    assert.deepEqual(got, [msg]);
    assert.equal((await kv.get(["pending_steps", msg.id])).value, null);
  });
});

Deno.test("bullmq queue: a step staged in a commit whose check failed is never delivered", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
    const got: string[] = [];
    queue.listen(async (msg) => {
      got.push(msg.id);
    }, async () => {});
    await kv.set(["runs", "run-b"], { seq: 1 });
    const lost = kv.atomic().check({ key: ["runs", "run-b"], versionstamp: null });
    queue.stage(lost, step("run-b", 1));
    assert.equal((await lost.commit()).ok, false);
    // The engine publishes only after a successful commit; a sweep must not find it either.
    assert.equal(await queue.sweep(0), 0);
    await send(kv, queue, step("run-b", 2));
    await waitFor(() => got.length > 0, "the committed step");
    await sleep(200);
    assert.deepEqual(got, ["run-b:2"]);
  });
});

Deno.test("bullmq queue: a step that throws twice is retried and succeeds on the third delivery", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
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
    await send(kv, queue, step("run-c"));
    await waitFor(() => done, "the third delivery");
    await sleep(300);
    assert.equal(deliveries, 3);
    assert.deepEqual(dead, []);
  });
});

Deno.test("bullmq queue: a step that always throws reaches onDead exactly once with its reason", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
    let deliveries = 0;
    const dead: { msg: StepMessage; reason: string }[] = [];
    queue.listen(async () => {
      deliveries++;
      throw new Error("table patients does not exist");
    }, async (msg, reason) => {
      dead.push({ msg, reason });
    });
    const msg = step("run-d", 3);
    await send(kv, queue, msg);
    await waitFor(() => dead.length === 1, "the dead letter");
    await sleep(400);
    assert.equal(deliveries, 3);
    assert.equal(dead.length, 1);
    assert.deepEqual(dead[0].msg, msg);
    assert.equal(
      dead[0].reason,
      "The step failed 3 times and gave up; last error: table patients does not exist",
    );
    assert.equal(await queue.checkDead(), 0);
    assert.equal((await kv.get(["dead_steps", msg.id])).value, null);
  }, { attempts: 3 });
});

Deno.test("bullmq queue: delayMs holds the delivery back", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
    let deliveredAt = 0;
    queue.listen(async () => {
      deliveredAt = Date.now();
    }, async () => {});
    const sentAt = Date.now();
    await send(kv, queue, step("run-e"), 400);
    await waitFor(() => deliveredAt > 0, "the delayed delivery");
    assert.ok(deliveredAt - sentAt >= 380, `delivered after ${deliveredAt - sentAt} ms`);
  });
});

Deno.test("bullmq queue: publishing the same step twice delivers it once", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
    const got: string[] = [];
    const msg = step("run-f");
    await send(kv, queue, msg);
    await queue.published(msg);
    queue.listen(async (m) => {
      got.push(m.id);
    }, async () => {});
    await waitFor(() => got.length === 1, "the delivery");
    // And again after it completed: the completed job still holds its id.
    await queue.published(msg);
    await sleep(300);
    assert.deepEqual(got, ["run-f:0"]);
  });
});

Deno.test("bullmq queue: sweep() adds a step a crash left committed but unpublished, once", async () => {
  await withQueues(1, async ({ kv, queues: [queue] }) => {
    const got: string[] = [];
    queue.listen(async (m) => {
      got.push(m.id);
    }, async () => {});
    const msg = step("run-g");
    const op = kv.atomic();
    queue.stage(op, msg);
    await op.commit(); // ...and the process dies before published()
    assert.equal(await queue.sweep(60_000), 0, "a fresh record may still be published");
    await sleep(20);
    assert.equal(await queue.sweep(10), 1);
    assert.equal(await queue.sweep(10), 0, "the record is gone once the job is added");
    await waitFor(() => got.length === 1, "the swept step");
    await sleep(300);
    assert.deepEqual(got, ["run-g:0"]);
  });
});

Deno.test("bullmq queue: two workers share 200 steps, each handled exactly once", async () => {
  await withQueues(2, async ({ kv, queues }) => {
    const handled = new Map<string, number>();
    const perWorker = [0, 0];
    queues.forEach((queue, i) =>
      queue.listen(async (msg) => {
        handled.set(msg.id, (handled.get(msg.id) ?? 0) + 1);
        perWorker[i]++;
        await sleep(2);
      }, async () => {})
    );
    const started = performance.now();
    const msgs = Array.from({ length: 200 }, (_, i) => step(`run-${i % 10}`, i));
    for (let i = 0; i < msgs.length; i += 20) {
      const batch = msgs.slice(i, i + 20);
      const op = kv.atomic();
      for (const msg of batch) queues[0].stage(op, msg);
      await op.commit();
      await Promise.all(batch.map((msg) => queues[0].published(msg)));
    }
    await waitFor(() => handled.size === 200, "200 steps", 15_000);
    const secs = (performance.now() - started) / 1000;
    await sleep(300);
    assert.equal(handled.size, 200);
    assert.deepEqual([...handled.values()].filter((n) => n !== 1), []);
    assert.ok(perWorker[0] > 0 && perWorker[1] > 0, `split ${perWorker}`);
    console.log(`bullmq: 200 steps in ${secs.toFixed(2)} s, split ${perWorker}`);
  }, { concurrency: 4 });
});

Deno.test("bullmq queue: job ids avoid what BullMQ refuses", () => {
  assert.equal(jobIdOf("run-1:7"), "s_run-1%3A7");
  assert.equal(jobIdOf("12"), "s_12");
  assert.notEqual(jobIdOf("a%3Ab"), jobIdOf("a:b"));
});
