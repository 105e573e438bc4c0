import assert from "node:assert/strict";
import { parseCron } from "./cron.ts";
import {
  dueMinute,
  type ScheduledPipeline,
  type SchedulerClock,
  startScheduler,
  tickSchedules,
} from "./schedule.ts";

const at = (iso: string) => new Date(iso);

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** Collects enqueued runs as `tenant/pipeline@dueAt`. */
function recorder() {
  const runs: string[] = [];
  const enqueue = (s: ScheduledPipeline, dueAt: Date) => {
    runs.push(`${s.tenant}/${s.pipelineId}@${dueAt.toISOString().slice(0, 16)}`);
    return Promise.resolve();
  };
  return { runs, enqueue };
}

const nightly: ScheduledPipeline = { tenant: "t1", pipelineId: "p1", cron: "30 2 * * *" };

Deno.test("dueMinute finds the latest fire time within the window", () => {
  const s = parseCron("30 2 * * *");
  assert.equal(
    dueMinute(s, at("2026-11-26T02:30:00Z"), 5)?.toISOString(),
    "2026-11-26T02:30:00.000Z",
  );
  assert.equal(
    dueMinute(s, at("2026-11-26T02:34:59Z"), 5)?.toISOString(),
    "2026-11-26T02:30:00.000Z",
  );
  assert.equal(dueMinute(s, at("2026-11-26T02:35:00Z"), 5), undefined);
  assert.equal(dueMinute(s, at("2026-11-26T02:29:59Z"), 5), undefined);
  const every = parseCron("* * * * *");
  assert.equal(
    dueMinute(every, at("2026-11-26T10:03:10Z"), 5)?.toISOString(),
    "2026-11-26T10:03:00.000Z",
  );
});

Deno.test("tickSchedules enqueues a due schedule once, however often it ticks", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    for (
      const now of ["02:29:00", "02:30:00.050", "02:30:40", "02:31:00", "02:34:00", "02:40:00"]
    ) {
      await tickSchedules(kv, [nightly], at(`2026-11-26T${now}Z`), enqueue);
    }
    assert.deepEqual(runs, ["t1/p1@2026-11-26T02:30"]);
    await tickSchedules(kv, [nightly], at("2026-11-27T02:30:00Z"), enqueue);
    assert.deepEqual(runs, ["t1/p1@2026-11-26T02:30", "t1/p1@2026-11-27T02:30"]);
  });
});

Deno.test("tickSchedules catches up the latest missed minute after a short outage", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    const every = { tenant: "t1", pipelineId: "p2", cron: "* * * * *" };
    // Down from 02:29 to 02:33: only 02:33 (the latest) fires, then ticking resumes.
    const result = await tickSchedules(kv, [nightly, every], at("2026-11-26T02:33:05Z"), enqueue);
    await tickSchedules(kv, [nightly, every], at("2026-11-26T02:34:00Z"), enqueue);
    assert.deepEqual(runs, [
      "t1/p1@2026-11-26T02:30",
      "t1/p2@2026-11-26T02:33",
      "t1/p2@2026-11-26T02:34",
    ]);
    assert.deepEqual(result.failed, []);
    // An outage longer than the window does not fire the old minute.
    await tickSchedules(
      kv,
      [{ ...nightly, pipelineId: "p3" }],
      at("2026-11-26T02:36:00Z"),
      enqueue,
    );
    assert.equal(runs.length, 3);
  });
});

Deno.test("tickSchedules ignores due minutes before the schedule existed", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    const fresh = { ...nightly, notBefore: at("2026-11-26T02:31:00Z") };
    await tickSchedules(kv, [fresh], at("2026-11-26T02:32:00Z"), enqueue);
    assert.deepEqual(runs, []);
  });
});

Deno.test("tickSchedules reports an invalid cron and still enqueues the others", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    const broken = { tenant: "t2", pipelineId: "bad", cron: "61 * * * *" };
    const result = await tickSchedules(kv, [broken, nightly], at("2026-11-26T02:30:00Z"), enqueue);
    assert.deepEqual(runs, ["t1/p1@2026-11-26T02:30"]);
    assert.equal(result.failed.length, 1);
    assert.match(result.failed[0].error, /minute field "61" is out of range 0–59/);
  });
});

Deno.test("tickSchedules releases the claim when enqueue fails, so the next tick retries", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    let failures = 1;
    const flaky = (s: ScheduledPipeline, dueAt: Date) =>
      failures-- > 0 ? Promise.reject(new Error("KV commit failed")) : enqueue(s, dueAt);
    const first = await tickSchedules(kv, [nightly], at("2026-11-26T02:30:00Z"), flaky);
    assert.deepEqual(first.failed.map((f) => f.error), ["KV commit failed"]);
    const second = await tickSchedules(kv, [nightly], at("2026-11-26T02:31:00Z"), flaky);
    assert.deepEqual(runs, ["t1/p1@2026-11-26T02:30"]);
    assert.equal(second.enqueued[0].dueAt.toISOString(), "2026-11-26T02:30:00.000Z");
  });
});

Deno.test("concurrent ticks on one KV enqueue each due run exactly once", async () => {
  const dir = await Deno.makeTempDir();
  // Separate handles on one file behave like separate processes (their own locks and caches).
  const handles = await Promise.all(
    Array.from({ length: 4 }, () => Deno.openKv(`${dir}/kv.sqlite`)),
  );
  try {
    const schedules = Array.from({ length: 25 }, (_, i) => ({
      tenant: `t${i % 3}`,
      pipelineId: `p${i}`,
      cron: i % 2 ? "* * * * *" : "*/5 * * * *",
    }));
    const { runs, enqueue } = recorder();
    for (const now of ["2026-11-26T10:00:00.050Z", "2026-11-26T10:01:00.050Z"]) {
      await Promise.all(
        handles.flatMap((kv) => [1, 2].map(() => tickSchedules(kv, schedules, at(now), enqueue))),
      );
    }
    // 10:00: all 25 are due; 10:01: only the 12 odd "* * * * *" ones.
    assert.equal(runs.length, 25 + 12);
    assert.equal(new Set(runs).size, runs.length, "no run was enqueued twice");
  } finally {
    for (const kv of handles) kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ticks from several real processes enqueue each due run exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/tick.ts`;
  await Deno.writeTextFile(
    script,
    `import { tickSchedules } from ${
      JSON.stringify(new URL("./schedule.ts", import.meta.url).href)
    };
const kv = await Deno.openKv(${JSON.stringify(`${dir}/kv.sqlite`)});
// Start together, so the ticks overlap rather than run one after the other.
await new Promise((r) => setTimeout(r, Number(Deno.args[0]) - Date.now()));
const schedules = Array.from({ length: 200 }, (_, i) => ({ tenant: "t", pipelineId: "p" + i, cron: "*/5 * * * *" }));
const out: string[] = [];
const result = await tickSchedules(kv, schedules, new Date("2026-11-26T10:00:00.050Z"), async (s, due) => {
  out.push(s.pipelineId + "@" + due.toISOString());
});
kv.close();
console.log(JSON.stringify({ out, failed: result.failed }));
`,
  );
  try {
    const go = String(Date.now() + 1_500);
    const children = Array.from({ length: 3 }, () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--unstable-kv",
          "--no-check",
          "--config",
          new URL("../deno.json", import.meta.url).pathname,
          script,
          go,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output());
    const results = (await Promise.all(children)).map((o) => {
      assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
      return JSON.parse(new TextDecoder().decode(o.stdout));
    });
    const all = results.flatMap((r) => r.out as string[]);
    assert.deepEqual(results.flatMap((r) => r.failed), []);
    assert.equal(all.length, 200);
    assert.equal(new Set(all).size, 200);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A clock the test moves: each `sleep` waits until the test calls `wake()`. */
function steppedClock(start: string) {
  let time = at(start).getTime();
  const sleeps: number[] = [];
  let pending: (() => void) | undefined;
  let sleeping: (() => void) | undefined;
  let asleep = new Promise<void>((resolve) => (sleeping = resolve));
  const clock: SchedulerClock = {
    now: () => new Date(time),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        sleeps.push(ms);
        pending = () => {
          time += ms;
          resolve();
        };
        signal.addEventListener("abort", () => resolve(), { once: true });
        sleeping!();
      }),
  };
  return {
    clock,
    sleeps,
    /** Wait until the scheduler sleeps, then let that sleep pass. */
    async wake() {
      await asleep;
      asleep = new Promise<void>((resolve) => (sleeping = resolve));
      pending!();
    },
    asleep: () => asleep,
  };
}

Deno.test("startScheduler ticks at once, then just after each minute, until closed", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    const stepped = steppedClock("2026-11-26T10:00:17Z");
    const ticks: string[] = [];
    const scheduler = startScheduler({
      kv,
      schedules: () => [{ tenant: "t1", pipelineId: "p1", cron: "* * * * *" }],
      enqueue,
      clock: stepped.clock,
      onTick: (_result, now) => ticks.push(now.toISOString()),
    });
    await stepped.wake();
    await stepped.wake();
    await stepped.asleep();
    await scheduler.close();
    assert.deepEqual(ticks, [
      "2026-11-26T10:00:17.000Z",
      "2026-11-26T10:01:00.050Z",
      "2026-11-26T10:02:00.050Z",
    ]);
    assert.deepEqual(stepped.sleeps.slice(0, 2), [43_050, 60_000]);
    assert.deepEqual(runs, [
      "t1/p1@2026-11-26T10:00",
      "t1/p1@2026-11-26T10:01",
      "t1/p1@2026-11-26T10:02",
    ]);
  });
});

Deno.test("startScheduler goes on after a tick fails to read the schedules", async () => {
  await withKv(async (kv) => {
    const { runs, enqueue } = recorder();
    const stepped = steppedClock("2026-11-26T02:29:30Z");
    const errors: string[] = [];
    let reads = 0;
    const scheduler = startScheduler({
      kv,
      schedules: () => reads++ === 0 ? Promise.reject(new Error("KV unavailable")) : [nightly],
      enqueue,
      clock: stepped.clock,
      onError: (err) => errors.push((err as Error).message),
    });
    await stepped.wake();
    await stepped.asleep();
    await scheduler.close();
    assert.deepEqual(errors, ["KV unavailable"]);
    assert.deepEqual(runs, ["t1/p1@2026-11-26T02:30"]);
  });
});

Deno.test("startScheduler with the real clock closes at once without leaking timers", async () => {
  await withKv(async (kv) => {
    let ticks = 0;
    const scheduler = startScheduler({
      kv,
      schedules: () => [],
      enqueue: () => Promise.resolve(),
      onTick: () => ticks++,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await scheduler.close();
    assert.ok(performance.now() - started < 1000);
    assert.equal(ticks, 1);
  });
});
