/**
 * The body of one step Web Worker (see worker_pool.ts): it opens its own KV handle and consumes
 * run steps until told to stop: from the Deno KV queue itself, or, when the main thread
 * consumes BullMQ (`relay`), steps the main thread hands over, with the jobs it adds relayed
 * back. Messages: see {@link PoolRequest} and {@link PoolReply}.
 * @module
 */
import { readEnv } from "../config.ts";
import { RetriableError, userMessage } from "../etl/errors.ts";
import { type OpenEngine, openEngine } from "./consumer.ts";
import { startWorker, type StepRunner, stepRunner } from "./engine.ts";
import { createRelayQueue } from "./relay_queue.ts";
import type { PoolReply, PoolRequest } from "./worker_pool.ts";

let engine: OpenEngine | undefined;
let stop: (() => Promise<void>) | undefined;
let runner: StepRunner | undefined;
const publishing = new Map<number, { resolve(): void; reject(err: Error): void }>();
let nextPublish = 0;

// Typed by hand: the worker lib's globals would leak into the type check of the whole program.
const scope = self as unknown as {
  postMessage(msg: PoolReply): void;
  onmessage: ((event: MessageEvent<PoolRequest>) => void) | null;
};
const reply = (msg: PoolReply) => scope.postMessage(msg);

const relayQueue = () =>
  createRelayQueue((msg, options) =>
    new Promise<void>((resolve, reject) => {
      const id = nextPublish++;
      publishing.set(id, { resolve, reject });
      reply({ type: "publish", id, msg, options });
    })
  );

scope.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "start") {
    try {
      const env = readEnv(msg.env);
      engine = await openEngine(env, msg.env, msg.name, msg.relay ? relayQueue : undefined);
      if (msg.relay) {
        const steps = runner = stepRunner(engine.deps);
        stop = () => steps.close();
      } else {
        stop = startWorker(engine.deps);
      }
      reply({ type: "ready" });
    } catch (err) {
      reply({ type: "failed", message: userMessage(err) });
    }
  } else if (msg.type === "step") {
    try {
      if (!runner) throw new RetriableError("This step worker is not ready");
      await runner.run(msg.msg);
      reply({ type: "stepped", id: msg.id });
    } catch (err) {
      const retriable = err instanceof RetriableError;
      reply({ type: "stepped", id: msg.id, error: userMessage(err), retriable });
    }
  } else if (msg.type === "published") {
    const waiter = publishing.get(msg.id);
    publishing.delete(msg.id);
    if (msg.error) waiter?.reject(new RetriableError(msg.error));
    else waiter?.resolve();
  } else {
    // The step in hand finishes first: queue close waits for running handlers.
    await stop?.().catch(() => {});
    engine?.deps.kv.close();
    reply({ type: "stopped" });
  }
};
