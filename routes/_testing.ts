/**
 * A test harness for the HTTP app: in-memory Deno KV, the real engine and KV queue, a temp
 * output root, two tenants with their own tokens, and a helper that drives a run's steps.
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { createApp } from "../app.ts";
import { type EngineDeps, getRun, handleStep } from "../runs/engine.ts";
import { createKvQueue } from "../runs/kv_queue.ts";
import type { RunRecord } from "../runs/run_record.ts";
import { randomMasterKey } from "../vault/_testing.ts";
import { createVault, type Vault } from "../vault/vault.ts";
import { openConnection } from "../connections/mod.ts";
import { specSecrets } from "../pipelines/spec_secrets.ts";
import { staticTokens } from "./auth.ts";

/** The project root (inputs are read relative to it). */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Tenant A's token. */
export const TOKEN_A = "token-for-clinic-a-0123456789";
/** Tenant B's token. */
export const TOKEN_B = "token-for-clinic-b-0123456789";

/** The Synthea patients pipeline (115 rows) into a file repository. */
export const patientsSpec = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  name: "synthea-patients",
  source: { type: "csv", path: "data/samples/synthea/patients.csv" },
  transforms: [{ type: "fhir-patient", preset: "synthea" }],
  output: { format: "ndjson" },
  repository: { type: "file", path: "Patient.ndjson" },
  options: { batchSize: 20 },
  ...extra,
});

/** A running app over fresh state; `close()` releases everything. */
export interface TestApp {
  app: Hono;
  deps: EngineDeps;
  /** The vault the app seals secrets with (a random master key). */
  vault: Vault;
  out: string;
  logged: string[];
  /** A request as tenant A (or with `token`), JSON body when given. */
  call(
    method: string,
    path: string,
    init?: { body?: unknown; token?: string | null },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** Build a {@link TestApp}. */
export async function testApp(): Promise<TestApp> {
  const kv = await Deno.openKv(":memory:");
  const queue = createKvQueue(kv);
  const out = await Deno.makeTempDir();
  const deps: EngineDeps = {
    kv,
    queue,
    inputRoot: ROOT,
    outputRoot: out,
    allowPrivateNetwork: false,
    budget: { rows: 50, ms: 2_000 },
    // Beside the output root, not in it: tests look at exactly what a run wrote there.
    analyticsRoot: `${out}.analytics`,
  };
  const logged: string[] = [];
  const vault = createVault(kv, await randomMasterKey());
  deps.secrets = specSecrets(vault, {
    connection: (tenant, id) => openConnection(kv, vault, tenant, id),
  });
  const app = createApp({
    engine: deps,
    vault,
    auth: staticTokens({ [TOKEN_A]: "clinic-a", [TOKEN_B]: "clinic-b" }),
    publicUrl: "https://portal.test",
    log: (line) => logged.push(line),
  });
  return {
    app,
    deps,
    vault,
    out,
    logged,
    async call(method, path, init = {}) {
      const headers: Record<string, string> = {};
      const token = init.token === undefined ? TOKEN_A : init.token;
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        headers["Content-Type"] = "application/json";
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      }
      return await app.request(path, { method, headers, body });
    },
    async close() {
      await queue.close();
      kv.close();
      await Deno.remove(out, { recursive: true });
      await Deno.remove(`${out}.analytics`, { recursive: true }).catch(() => {});
    },
  };
}

/** Deliver a run's current step by hand until it ends, like engine_test.ts does. */
export async function drive(deps: EngineDeps, tenant: string, id: string): Promise<RunRecord> {
  for (let i = 0; i < 100; i++) {
    const run = await getRun(deps.kv, tenant, id);
    if (!run) throw new Error(`no run ${id}`);
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await handleStep(deps, { kind: "step", id: `${id}:${run.seq}`, tenant, run: id, seq: run.seq });
  }
  throw new Error("the run did not end in 100 steps");
}
