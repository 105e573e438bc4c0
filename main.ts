/**
 * `deno task start`: the portal on its embedded default — local Deno KV, local files (each
 * tenant's in a folder of its own), the credential vault (a master key file generated on first
 * start), the run engine consuming steps in this process, cron schedules, run notifications,
 * sign-in, the JSON API and webhooks on `PORT`, and on first start a demo tenant whose owner's
 * password is printed once and whose example pipelines are saved and run. With
 * `DEPLOYMENT=production` it refuses to start without `MASTER_KEY` and seeds nothing.
 * SIGINT / SIGTERM stop the loops and the server, then the process.
 * @module
 */
import { dirname } from "node:path";
import { seedDemo } from "./accounts/demo.ts";
import { createApp } from "./app.ts";
import { readEnv } from "./config.ts";
import { startNotifier } from "./pipelines/notifier.ts";
import { enqueueScheduled, listSchedules } from "./pipelines/schedules.ts";
import { userMessage } from "./etl/errors.ts";
import { kvTokens } from "./routes/api_tokens.ts";
import { anyOf, staticTokens } from "./routes/auth.ts";
import { masterKeyNotice } from "./vault/master_key.ts";
import { createSessionStore } from "./web/sessions.ts";
import { openEngine, startConsumers } from "./runs/consumer.ts";
import { watchRuns } from "./runs/engine.ts";
import { startScheduler } from "./triggers/schedule.ts";

if (import.meta.main) {
  const root = dirname(new URL(import.meta.url).pathname);
  const env = readEnv(Deno.env.toObject());
  const raw = Deno.env.toObject();
  let opened;
  try {
    opened = await openEngine(env, raw, "main");
  } catch (err) {
    // A missing or unreadable master key is the operator's to fix: say so, no stack trace.
    console.error(`PyxGen Portal did not start: ${userMessage(err)}`);
    Deno.exit(1);
  }
  const { deps: engine, vault, master } = opened;
  const kv = engine.kv;
  const consumers = await startConsumers(engine, env, raw);
  const staleMs = env.WATCHDOG_STALE_SECONDS * 1000;
  const watchdog = setInterval(() => {
    watchRuns(engine, { staleMs }).catch((err) => console.error(`watchdog: ${err}`));
    // BullMQ: steps committed but not added to Redis (a crash between the two) are added again.
    engine.queue.sweep(30_000).catch((err) => console.error(`queue sweep: ${err}`));
  }, Math.min(staleMs / 2, 15_000));
  // Cron schedules: every process may tick; each due run still starts once.
  const scheduler = startScheduler({
    kv,
    schedules: () => listSchedules(kv),
    enqueue: enqueueScheduled(engine),
  });
  // Run notifications: every process may announce; each ended run is announced by one.
  const notifier = startNotifier({
    kv,
    publicUrl: env.PUBLIC_URL,
    allowPrivateNetwork: env.ALLOW_PRIVATE_NETWORK,
    onPass: (announced) => {
      for (const a of announced) {
        const failed = a.outcome === "error" ? a.error : a.result?.lastError;
        if (failed && !a.result?.delivered) {
          console.error(`Notification of run ${a.run} (${a.tenant}) failed: ${failed}`);
        }
      }
    },
  });
  // Tenants' own tokens; API_TOKEN, when set, is an operator token for DEFAULT_TENANT.
  const auth = env.API_TOKEN
    ? anyOf(kvTokens(kv), staticTokens({ [env.API_TOKEN]: env.DEFAULT_TENANT }))
    : kvTokens(kv);
  const app = createApp({
    engine,
    auth,
    vault,
    sessions: createSessionStore(kv, { idleMs: env.SESSION_IDLE_MINUTES * 60_000 }),
    trustProxy: env.TRUST_PROXY,
    publicUrl: env.PUBLIC_URL,
  });
  const seeded = env.DEPLOYMENT === "embedded" ? await seedDemo(engine, root) : undefined;
  const server = Deno.serve({
    port: env.PORT,
    onListen: ({ port }) => {
      const base = env.PUBLIC_URL ?? `http://localhost:${port}`;
      console.log(`PyxGen Portal on ${base} (KV ${env.KV_PATH}, outputs under ${env.OUTPUT_ROOT})`);
      console.log(masterKeyNotice(master));
      console.log(`OpenAPI: ${base}/api/openapi.json`);
      console.log(`Run steps are consumed by ${consumers.where} (${engine.queue.kind} queue)`);
      if (seeded) {
        // Printed this once: the password is stored only as a hash.
        console.log(`Demo tenant created. Sign in at ${base}/signin as:`);
        console.log(`  email:    ${seeded.email}`);
        console.log(`  password: ${seeded.password}   (shown once; keep it)`);
        console.log(`Demo pipelines saved; their first runs: ${seeded.runs.join(", ")}`);
      }
    },
  }, app.fetch);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) Deno.exit(1); // a second signal: stop at once
    stopping = true;
    clearInterval(watchdog);
    // The notifier gives back what it had not finished, for the next start or another process.
    await Promise.all([scheduler.close(), notifier.close(), server.shutdown(), consumers.stop()]);
    Deno.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, shutdown);
}
