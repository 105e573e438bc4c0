/**
 * The deployment's settings, read once from the environment and checked with zod. Every
 * variable has a safe default for the embedded install (one machine, local Deno KV and files).
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { zodProblems } from "./etl/spec.ts";

const flag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");

/** The environment variables the portal reads. */
export const Env = z.object({
  KV_PATH: z.string().default("data/local/portal.kv")
    .describe("Deno KV file holding runs, pipelines and tenants (several processes may share it)"),
  INPUT_ROOT: z.string().default("data/local/files").describe(
    "Folder input files are read from (each tenant's under INPUT_ROOT/<tenant> with TENANT_FILES)",
  ),
  ANALYTICS_ROOT: z.string().default("data/local/analytics").describe(
    "Folder where runs' basic reports and their working files are kept (not served as files)",
  ),
  OUTPUT_ROOT: z.string().default("out").describe(
    "Folder file outputs are written under (each tenant's under OUTPUT_ROOT/<tenant> with TENANT_FILES)",
  ),
  ALLOW_PRIVATE_NETWORK: flag.default(false)
    .describe("Let sources and repositories reach private and loopback addresses (1 to allow)"),
  STEP_ROWS: z.coerce.number().int().min(100).default(50_000)
    .describe("Most rows one step reads"),
  STEP_MS: z.coerce.number().int().min(100).max(3_000).default(2_000)
    .describe("Most milliseconds one step reads for (KV redelivers handlers after ~5 s)"),
  WORKERS: z.coerce.number().int().min(0).max(64).default(navigator.hardwareConcurrency || 1)
    .describe(
      "Web Workers consuming run steps in this process (default: one per core; 0: the main thread consumes)",
    ),
  TENANT_RUN_LIMIT: z.coerce.number().int().min(1).default(2)
    .describe("Runs of one tenant running at once"),
  PORT: z.coerce.number().int().min(1).max(65535).default(8000).describe("HTTP port"),
  PUBLIC_URL: z.string().url().optional().describe(
    "Base of absolute links, e.g. https://portal.example.org",
  ),
  API_TOKEN: z.string().min(16).optional().describe(
    "An operator token acting as owner of DEFAULT_TENANT (optional; tenants make their own tokens at /api/v1/tokens)",
  ),
  DEFAULT_TENANT: z.string().regex(/^[a-z0-9-]{1,40}$/).default("demo")
    .describe("The tenant API_TOKEN acts for"),
  DEPLOYMENT: z.enum(["embedded", "production"]).default("embedded").describe(
    "embedded: one machine, generates what it lacks (master key file, demo tenant); production: refuses to start without MASTER_KEY and creates no demo tenant",
  ),
  MASTER_KEY: z.string().optional().describe(
    "Wraps every tenant's data key: base64 of 32 random bytes, or file:<path>; the embedded default generates master.key beside KV_PATH (mode 0600)",
  ),
  MASTER_KEY_PREVIOUS: z.string().optional().describe(
    "The master key before a rotation, while `deno task rotate-key` re-wraps data keys",
  ),
  TENANT_FILES: flag.default(true).describe(
    "Each tenant reads and writes files only under INPUT_ROOT/<tenant> and OUTPUT_ROOT/<tenant> (0 only for single-tenant tools)",
  ),
  TRUST_PROXY: flag.default(false).describe(
    "Behind a reverse proxy: take client addresses (sign-in rate limits, audit) from X-Forwarded-For (1 to trust it)",
  ),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30)
    .describe("A signed-in session ends after this many minutes without a request"),
  NATIVE: flag.default(true).describe(
    "Use glibc and OpenSSL through FFI where faster (direct writes of file outputs, hashes off the run's thread); 0 falls back to plain Deno (same bytes, more CPU)",
  ),
  PARQUET_THREAD: flag.default(true).describe(
    "Encode Parquet on a helper thread beside the run's (~35% faster on two cores, ~10 MB more); 0 encodes on the run's thread (same bytes)",
  ),
  WATCHDOG_STALE_SECONDS: z.coerce.number().int().min(5).default(60)
    .describe("A run whose last step is older than this is resumed by the watchdog"),
});

/** Parsed settings. */
export type Env = z.output<typeof Env>;

/** Read the settings; a bad value is an Error listing every problem with the variable's name. */
export function readEnv(env: Record<string, string | undefined> = Deno.env.toObject()): Env {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Bad settings:\n${zodProblems(parsed.error).map((p) => `- ${p}`).join("\n")}`);
  }
  return {
    ...parsed.data,
    INPUT_ROOT: resolve(parsed.data.INPUT_ROOT),
    OUTPUT_ROOT: resolve(parsed.data.OUTPUT_ROOT),
    ANALYTICS_ROOT: resolve(parsed.data.ANALYTICS_ROOT),
  };
}
