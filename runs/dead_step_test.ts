/**
 * `deadStep` wired end to end on the Deno KV queue: a step whose handler keeps failing is retried
 * on the queue's (shortened) backoff schedule, KV writes it to the dead letters after the last
 * try, the adapter's dead-letter check hands it to the `onDead` that `startWorker` gave it, and
 * the run fails with a sentence instead of staying "running".
 */
import assert from "node:assert/strict";
import { deadStep, type EngineDeps, getRun, startRun, startWorker } from "./engine.ts";
import { createKvQueue, type KvJobQueue } from "./kv_queue.ts";
import type { StepMessage } from "./job_queue.ts";
import { isFinal, runKeys, type RunRecord } from "./run_record.ts";
import { DEAD_STEP_REASONS, DEAD_STEPS } from "./_queue_keys.ts";
import { sleep } from "./_queue_testing.ts";

const TENANT = "clinic-a";

/**
 * An API on the loopback: the pages in `good` hold five patients each, every other page answers
 * 503. `hits` counts the requests per page.
 */
function flakyApi(good: number[] = [1]) {
  const hits = new Map<number, number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const page = Number(new URL(req.url).searchParams.get("page"));
    hits.set(page, (hits.get(page) ?? 0) + 1);
    if (good.includes(page)) {
      const patients = Array.from(
        { length: 5 },
        (_, i) => ({ id: `p${page}-${i}`, name: `Name ${i}` }),
      );
      return Response.json({ data: patients });
    }
    return new Response("upstream down", { status: 503, statusText: "Service Unavailable" });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/patients`, hits, server };
}

/**
 * An engine on an in-memory KV whose queue retries 3 times, 30 ms apart, and checks often for
 * dead letters. Steps are 5 rows; their lease (and so the delay of a chained step's safety
 * message) is the shortest there is, about 10 s.
 */
async function engine(): Promise<
  { deps: EngineDeps & { queue: KvJobQueue }; logs: string[]; close(): Promise<void> }
> {
  const kv = await Deno.openKv(":memory:");
  const logs: string[] = [];
  const queue = createKvQueue(kv, {
    backoffSchedule: [30, 30, 30],
    deadLetterCheckMs: 50,
    log: (line) => logs.push(line),
  });
  const out = await Deno.makeTempDir();
  return {
    deps: {
      kv,
      queue,
      inputRoot: out,
      outputRoot: out,
      allowPrivateNetwork: true,
      budget: { rows: 5, ms: 100 },
    },
    logs,
    async close() {
      await queue.close();
      kv.close();
      await Deno.remove(out, { recursive: true });
    },
  };
}

/** Poll until the run is final (or `timeoutMs` passed); returns every status seen on the way. */
async function untilFinal(kv: Deno.Kv, id: string, timeoutMs = 20_000) {
  const seen: RunRecord["status"][] = [];
  const until = Date.now() + timeoutMs;
  let run: RunRecord | undefined;
  while (Date.now() < until) {
    run = await getRun(kv, TENANT, id);
    if (run && seen.at(-1) !== run.status) seen.push(run.status);
    if (run && isFinal(run.status)) break;
    await sleep(10);
  }
  return { run, seen };
}

const restSpec = (url: string) => ({
  version: 1,
  name: "api-patients",
  source: {
    type: "rest",
    url,
    recordsPointer: "/data",
    pagination: "page",
    pageSize: 5,
    maxAttempts: 1,
  },
  output: { format: "ndjson" },
  repository: { type: "file", path: "patients.ndjson" },
});

/** The same API read as one page (page 1 only): a run that succeeds when page 1 answers. */
const onePageSpec = (url: string) => ({
  ...restSpec(url),
  source: { type: "rest", url: `${url}?page=1`, recordsPointer: "/data" },
});

async function keysUnder(kv: Deno.Kv, prefix: string): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const entry of kv.list({ prefix: [prefix] })) keys.push(entry.key);
  return keys;
}

/** Keys under `prefix` once they are gone, or after 2 s: the adapter clears a letter just after its run failed. */
async function keysLeft(kv: Deno.Kv, prefix: string): Promise<Deno.KvKey[]> {
  for (let i = 0; i < 40; i++) {
    const keys = await keysUnder(kv, prefix);
    if (keys.length === 0) return keys;
    await new Promise((r) => setTimeout(r, 50));
  }
  return await keysUnder(kv, prefix);
}

const DEAD_RUN = new RegExp(
  "^The run stopped after repeated failures of one of its steps; try again later\\. " +
    "\\(The step failed 4 times and gave up; last error: The server at " +
    "http://127\\.0\\.0\\.1:\\d+/patients\\?page=(\\d+)\\S* answered HTTP 503 \\(Service Unavailable\\)" +
    " after 1 attempt: the server is failing or overloaded; try again later\\)$",
);

Deno.test("deadStep: a running run whose step keeps failing until the KV queue gives up fails with a readable message", async () => {
  const api = flakyApi([1]);
  const e = await engine();
  // One run at a time per tenant: the next run below only starts if this one gives its slot back.
  e.deps.perTenantLimit = 1;
  const stop = startWorker(e.deps);
  try {
    const run = await startRun(e.deps, { tenant: TENANT, spec: restSpec(api.url) });
    const { run: done, seen } = await untilFinal(e.deps.kv, run.id);
    assert.deepEqual(seen, ["queued", "running", "failed"], `statuses: ${seen.join(" → ")}`);
    assert.match(done!.error ?? "", DEAD_RUN);
    assert.equal(DEAD_RUN.exec(done!.error!)?.[1], "2", "the step that read page 2 gave up");
    assert.ok(done!.finishedAt, "a failed run has its end time");
    // Page 1 made it through a step. Page 2 was asked for once by the chained step (its failure
    // leaves the step to its queued safety message), then once per delivery of that message:
    // 1 + the 3 retries of the schedule. Nothing after the queue gave up.
    assert.equal(done!.counts.read, 5);
    assert.equal(api.hits.get(2), 5, `requests for page 2: ${api.hits.get(2)}`);
    await sleep(300);
    assert.equal(api.hits.get(2), 5, "nothing retried after the run failed");
    assert.equal((await getRun(e.deps.kv, TENANT, run.id))?.status, "failed");
    // The partial output is discarded, the run no longer counts as running anywhere, and the
    // dead letter and its reason were consumed.
    assert.deepEqual([...Deno.readDirSync(e.deps.outputRoot)], [], "no partial output left");
    assert.equal((await e.deps.kv.get(runKeys.active(TENANT, run.id))).value, null);
    assert.deepEqual(await keysLeft(e.deps.kv, DEAD_STEPS), []);
    assert.deepEqual(await keysUnder(e.deps.kv, DEAD_STEP_REASONS), []);
    assert.deepEqual(e.logs, []);
    const next = await startRun(e.deps, { tenant: TENANT, spec: onePageSpec(api.url) });
    const after = (await untilFinal(e.deps.kv, next.id)).run;
    assert.equal(after?.status, "succeeded", after?.error);
    assert.equal(after!.counts.written, 5);
  } finally {
    await stop();
    await e.close();
    await api.server.shutdown();
  }
});

Deno.test("deadStep: a first step that keeps failing until the KV queue gives up fails its queued run", async () => {
  const api = flakyApi([]);
  const e = await engine();
  const stop = startWorker(e.deps);
  try {
    const run = await startRun(e.deps, { tenant: TENANT, spec: restSpec(api.url) });
    const { run: done, seen } = await untilFinal(e.deps.kv, run.id, 5_000);
    assert.deepEqual(seen, ["queued", "failed"], `statuses: ${seen.join(" → ")}`);
    assert.match(done!.error ?? "", DEAD_RUN);
    assert.equal(DEAD_RUN.exec(done!.error!)?.[1], "1");
    // Delivered straight from the queue: 1 + 3 retries, each asking for the first page once.
    assert.equal(api.hits.get(1), 4);
    assert.deepEqual(done!.counts, run.counts, "nothing was read");
    assert.deepEqual(await keysLeft(e.deps.kv, DEAD_STEPS), []);
  } finally {
    await stop();
    await e.close();
    await api.server.shutdown();
  }
});

Deno.test("deadStep: a late dead letter of a run that already succeeded leaves it succeeded", async () => {
  const api = flakyApi([1]);
  const e = await engine();
  const stop = startWorker(e.deps);
  try {
    const run = await startRun(e.deps, { tenant: TENANT, spec: onePageSpec(api.url) });
    const ended = (await untilFinal(e.deps.kv, run.id)).run!;
    assert.equal(ended.status, "succeeded", ended.error);
    // A duplicate delivery of its last step that gave up after all: the dead-letter check hands
    // it over, and the run keeps its outcome and its output.
    const msg: StepMessage = {
      kind: "step",
      id: `${run.id}:${ended.seq - 1}`,
      tenant: TENANT,
      run: run.id,
      seq: ended.seq - 1,
    };
    await e.deps.kv.set([DEAD_STEPS, msg.id], msg);
    await e.deps.kv.set([DEAD_STEP_REASONS, msg.id], "The step failed 4 times and gave up");
    assert.equal(await e.deps.queue.checkDead(), 1);
    assert.deepEqual(await getRun(e.deps.kv, TENANT, run.id), ended);
    const lines = (await Deno.readTextFile(`${e.deps.outputRoot}/patients.ndjson`)).trim();
    assert.equal(lines.split("\n").length, 5);
    assert.deepEqual(await keysLeft(e.deps.kv, DEAD_STEPS), []);
  } finally {
    await stop();
    await e.close();
    await api.server.shutdown();
  }
});

Deno.test("deadStep: a dead letter for a step a worker still holds (a long publish) fails nothing", async () => {
  const e = await engine();
  try {
    const run = await startRun(e.deps, {
      tenant: TENANT,
      spec: onePageSpec("http://127.0.0.1:9/"),
    });
    // A worker holds step 0 for another minute, as one finishing a big report does.
    const key = runKeys.run(TENANT, run.id);
    const until = Date.now() + 60_000;
    await e.deps.kv.set(key, { ...run, status: "running", lease: { owner: "other", until } });
    const msg: StepMessage = {
      kind: "step",
      id: `${run.id}:0`,
      tenant: TENANT,
      run: run.id,
      seq: 0,
    };
    await deadStep(e.deps, msg, "The step failed 4 times and gave up");
    const after = await getRun(e.deps.kv, TENANT, run.id);
    assert.equal(after?.status, "running");
    assert.equal(after?.error, undefined);
    // Once the lease has run out, the same letter fails the run with a sentence.
    await e.deps.kv.set(key, { ...after!, lease: { owner: "other", until: Date.now() - 1 } });
    await deadStep(e.deps, msg, "The step failed 4 times and gave up");
    const failed = await getRun(e.deps.kv, TENANT, run.id);
    assert.equal(failed?.status, "failed");
    assert.match(failed?.error ?? "", /stopped after repeated failures/);
  } finally {
    await e.close();
  }
});
