/**
 * A tenant's report settings: below which count small cells are suppressed (shown as `"<k"`).
 * Kept under `["tenants", tenant, "settings", "report"]`; a tenant that never chose one gets
 * the default of 5. Every report that leaves the engine is suppressed with this threshold.
 *
 * @example
 * ```ts
 * await setReportSettings(kv, "clinic-a", { suppressBelow: 11 });
 * const { suppressBelow } = await getReportSettings(kv, "clinic-a"); // 11
 * const shown = suppress(internal, suppressBelow);
 * ```
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../etl/errors.ts";
import { zodProblems } from "../etl/spec.ts";

/** The threshold a tenant gets until an owner changes it. */
export const DEFAULT_SUPPRESS_BELOW = 5;
/** The highest threshold accepted: above it, most clinic reports would show nothing. */
export const MAX_SUPPRESS_BELOW = 100;

/** A tenant's report settings, as the API and the page accept them. */
export const ReportSettings = z.object({
  suppressBelow: z.number({ error: "must be a whole number" })
    .int("must be a whole number, e.g. 5")
    .min(1, "must be at least 1 (1 hides nothing)")
    .max(MAX_SUPPRESS_BELOW, `must be at most ${MAX_SUPPRESS_BELOW}`)
    .describe(
      `Counts from 1 to this number minus 1 are shown as "<n" in every report (default ${DEFAULT_SUPPRESS_BELOW}; 1 hides nothing)`,
    ),
}).strict();

/** A tenant's report settings. */
export type ReportSettings = z.output<typeof ReportSettings>;

/** KV key of a tenant's report settings. */
export const reportSettingsKey = (tenant: string): Deno.KvKey => [
  "tenants",
  tenant,
  "settings",
  "report",
];

/**
 * `tenant`'s report settings; the default when none were saved. A stored value that no longer
 * passes the schema (hand-edited KV) also gives the default, so a threshold is never below 1.
 */
export async function getReportSettings(kv: Deno.Kv, tenant: string): Promise<ReportSettings> {
  const stored = (await kv.get(reportSettingsKey(tenant))).value;
  const parsed = ReportSettings.safeParse(stored);
  return parsed.success ? parsed.data : { suppressBelow: DEFAULT_SUPPRESS_BELOW };
}

/**
 * Save `tenant`'s report settings; returns them as saved. Throws a ConfigError listing the
 * problems when `settings` is not valid (nothing is saved then).
 */
export async function setReportSettings(
  kv: Deno.Kv,
  tenant: string,
  settings: unknown,
): Promise<ReportSettings> {
  const parsed = ReportSettings.safeParse(settings);
  if (!parsed.success) {
    const problems = zodProblems(parsed.error);
    throw new ConfigError(`The report settings are not valid: ${problems.join("; ")}`, problems);
  }
  await kv.set(reportSettingsKey(tenant), parsed.data);
  return parsed.data;
}
