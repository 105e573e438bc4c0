import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { ConfigError } from "../etl/errors.ts";
import { parseQueueEnv, queueFromEnv } from "./queue_config.ts";
import { parseRedisUrl } from "./_queue_redis_url.ts";

Deno.test("queue config: no QUEUE_URL gives the Deno KV queue", async () => {
  const kv = await Deno.openKv(":memory:");
  const queue = await queueFromEnv(kv, {});
  assert.equal(queue.kind, "kv");
  await queue.close();
  const blank = await queueFromEnv(kv, { QUEUE_URL: "" });
  assert.equal(blank.kind, "kv");
  await blank.close();
  kv.close();
});

Deno.test("queue config: a redis URL gives BullMQ on that Redis", async () => {
  const kv = await Deno.openKv(":memory:");
  const prefix = `test-${crypto.randomUUID()}`;
  const queue = await queueFromEnv(kv, {
    QUEUE_URL: "redis://127.0.0.1:6379/0",
    QUEUE_PREFIX: prefix,
    QUEUE_CONCURRENCY: "3",
  });
  const redis = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  try {
    assert.equal(queue.kind, "bullmq");
    await queue.published({ kind: "step", id: "run-1:0", tenant: "t1", run: "run-1", seq: 0 });
    assert.equal(await redis.exists(`${prefix}:steps:s_run-1%3A0`), 1);
  } finally {
    await queue.close();
    kv.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});

Deno.test("queue config: redis URLs are read with database, user and password", () => {
  assert.deepEqual(parseRedisUrl("redis://cache.clinic.org"), {
    host: "cache.clinic.org",
    port: 6379,
    db: 0,
    username: undefined,
    password: undefined,
  });
  assert.deepEqual(parseRedisUrl("redis://etl:p%40ss@10.0.0.5:6380/2"), {
    host: "10.0.0.5",
    port: 6380,
    db: 2,
    username: "etl",
    password: "p@ss",
  });
  assert.equal(parseRedisUrl("redis://[::1]:6379").host, "::1");
});

Deno.test("queue config: a bad QUEUE_URL is a readable error naming the variable", () => {
  const cases: [string, string][] = [
    [
      "localhost:6379",
      'QUEUE_URL must look like redis://host:6379/0 (the scheme must be redis://); it is "localhost:6379".',
    ],
    [
      "http://cache:6379",
      'QUEUE_URL must look like redis://host:6379/0 (the scheme must be redis://); it is "http://cache:6379".',
    ],
    [
      "redis://cache:6379/queue",
      'QUEUE_URL must look like redis://host:6379/0 (the database must be a number); it is "redis://cache:6379/queue".',
    ],
    [
      "redis://cache:99999",
      'QUEUE_URL must look like redis://host:6379/0 (the port must be at most 65535); it is "redis://cache:99999".',
    ],
    [
      "redis://",
      'QUEUE_URL must look like redis://host:6379/0 (the host is missing); it is "redis://".',
    ],
  ];
  for (const [url, message] of cases) {
    assert.throws(() => parseQueueEnv({ QUEUE_URL: url }), (err) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, message);
      return true;
    });
  }
});

Deno.test("queue config: the password of a bad QUEUE_URL never shows in the message", () => {
  const cases: [string, string][] = [
    ["redis://etl:s3cret@cache:6379/db1", "redis://etl:***@cache:6379/db1"],
    ["rediss://etl:s3/cret@cache", "rediss://etl:***@cache"],
    ["etl:s3cret@cache:6379", "etl:***@cache:6379"],
    ["redis://:s3cret@cache:6379/x", "redis://:***@cache:6379/x"],
  ];
  for (const [url, shown] of cases) {
    assert.throws(() => parseQueueEnv({ QUEUE_URL: url }), (err) => {
      assert.ok(err instanceof ConfigError);
      assert.doesNotMatch(err.message, /s3/);
      assert.ok(err.message.includes(`"${shown}"`), err.message);
      return true;
    });
  }
});

Deno.test("queue config: bad tuning values list every problem", () => {
  assert.throws(
    () => parseQueueEnv({ QUEUE_CONCURRENCY: "lots", QUEUE_PREFIX: "my queue" }),
    (err) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [
        'QUEUE_PREFIX must be 1 to 64 letters, digits, _ . or -; it is "my queue".',
        'QUEUE_CONCURRENCY must be a whole number from 1 to 64; it is "lots".',
      ]);
      return true;
    },
  );
});
