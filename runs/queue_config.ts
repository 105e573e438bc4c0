/**
 * Which queue a process uses is configuration, not code: Deno KV queues by default (one
 * process), BullMQ over Redis when `QUEUE_URL=redis://host:port[/db]` is set (several processes
 * or machines; DESIGN.md "Scale").
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../etl/errors.ts";
import type { JobQueue } from "./job_queue.ts";
import { createKvQueue } from "./kv_queue.ts";
import { maskUrl, parseRedisUrl } from "./_queue_redis_url.ts";

/** The environment variables that choose and tune the queue. */
export const QueueEnv = z.object({
  QUEUE_URL: z.string().trim().optional()
    .describe(
      "redis://[user:password@]host[:port][/db] of the Redis that BullMQ uses to share steps " +
        "between processes; unset for Deno KV queues inside this process",
    ),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional()
    .describe("Namespace of this deployment's keys in that Redis (letters, digits, _ . -)"),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional()
    .describe("Steps one process runs at once with BullMQ (1–64)"),
});

/** Parsed {@link QueueEnv}. */
export type QueueEnv = z.output<typeof QueueEnv>;

/** What each variable must look like, for messages (values are shown, except passwords). */
const EXPECTED: Record<string, string> = {
  QUEUE_URL: "a URL like redis://host:6379/0",
  QUEUE_PREFIX: "1 to 64 letters, digits, _ . or -",
  QUEUE_CONCURRENCY: "a whole number from 1 to 64",
};

/** Parse the queue variables of `env`; a bad value is a ConfigError naming the variable. */
export function parseQueueEnv(env: Record<string, string | undefined>): QueueEnv {
  const picked = Object.fromEntries(
    Object.keys(EXPECTED).map((name) => [name, env[name] === "" ? undefined : env[name]]),
  );
  const parsed = QueueEnv.safeParse(picked);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = name === "QUEUE_URL" ? maskUrl(picked[name] ?? "") : picked[name];
      return `${name} must be ${EXPECTED[name]}; it is "${value}".`;
    });
    throw new ConfigError(problems.join(" "), problems);
  }
  if (parsed.data.QUEUE_URL) parseRedisUrl(parsed.data.QUEUE_URL, "QUEUE_URL");
  return parsed.data;
}

/**
 * The queue `env` asks for, over `kv` (which also keeps run state): BullMQ when `QUEUE_URL`
 * is set, else Deno KV queues. Close the queue before `kv`.
 *
 * BullMQ is loaded only when asked for: importing ioredis 6 turns on Node's diagnostics
 * channels under Deno, and that alone halved the speed of run steps in the same thread
 * (measured: a 1M-row step run 16 s without it, 31 s with it).
 */
export async function queueFromEnv(
  kv: Deno.Kv,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<JobQueue> {
  const config = parseQueueEnv(env);
  if (!config.QUEUE_URL) return createKvQueue(kv);
  const { createBullMqQueue } = await import("./bullmq_queue.ts");
  return createBullMqQueue(kv, {
    url: config.QUEUE_URL,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.QUEUE_CONCURRENCY,
  });
}
