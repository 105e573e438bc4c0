/**
 * The body of one step Web Worker (see worker_pool.ts): it opens its own KV handle and queue
 * from the settings it is sent and consumes run steps until told to stop. Messages in:
 * `{ type: "start", env, name }`, `{ type: "stop" }`; out: `ready`, `stopped`, or `failed` with
 * a message.
 * @module
 */
import { readEnv } from "../config.ts";
import { userMessage } from "../etl/errors.ts";
import { type OpenEngine, openEngine } from "./consumer.ts";
import { startWorker } from "./engine.ts";
import type { PoolReply, PoolRequest } from "./worker_pool.ts";

let engine: OpenEngine | undefined;
let stop: (() => Promise<void>) | undefined;

// Typed by hand: the worker lib's globals would leak into the type check of the whole program.
const scope = self as unknown as {
  postMessage(msg: PoolReply): void;
  onmessage: ((event: MessageEvent<PoolRequest>) => void) | null;
};
const reply = (msg: PoolReply) => scope.postMessage(msg);

scope.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "start") {
    try {
      engine = await openEngine(readEnv(msg.env), msg.env, msg.name);
      stop = startWorker(engine.deps);
      reply({ type: "ready" });
    } catch (err) {
      reply({ type: "failed", message: userMessage(err) });
    }
  } else {
    // The step in hand finishes first: queue close waits for running handlers.
    await stop?.().catch(() => {});
    engine?.deps.kv.close();
    reply({ type: "stopped" });
  }
};
