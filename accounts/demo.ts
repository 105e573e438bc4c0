/**
 * The embedded default's demo tenant: on the first start, an organisation "Demo Clinic" with an
 * owner whose password is generated and printed once, the sample files copied into the tenant's
 * own input folder, and the bundled example pipelines saved and started, so that a new user can
 * sign in and look at a run in the first minute.
 * @module
 */
import { dirname, join } from "node:path";
import type { SpecSecrets } from "../pipelines/spec_secrets.ts";
import { startPipelineRun } from "../pipelines/start.ts";
import { createPipeline } from "../pipelines/store.ts";
import type { EngineDeps } from "../runs/engine.ts";
import { tenantRoot } from "../runs/plan_secrets.ts";
import { signUp } from "./store.ts";

/** The demo owner's sign-in address. */
export const DEMO_EMAIL = "demo@pyxgen.example";

/** The bundled examples saved as the demo tenant's pipelines. */
export const DEMO_EXAMPLES = [
  "examples/synthea_patients.json",
  "examples/synthea_immunizations.json",
  "examples/clinic_to_parquet.json",
];

/** The sample files copied into the demo tenant's input folder (same relative paths). */
export const DEMO_FILES = [
  "data/samples/synthea/patients.csv",
  "data/samples/synthea/immunizations.csv",
  "data/samples/generic_clinic_patients.csv",
];

/** What {@link seedDemo} made; `password` is shown this once. */
export interface SeededDemo {
  tenant: string;
  email: string;
  password: string;
  runs: string[];
}

const DEMO_KEY: Deno.KvKey = ["demo"];

/**
 * Create the demo tenant once (a marker in KV remembers it); undefined when it exists already.
 * `projectRoot` holds `examples/` and `data/samples/`.
 */
export async function seedDemo(
  deps: EngineDeps & { secrets?: SpecSecrets },
  projectRoot: string,
): Promise<SeededDemo | undefined> {
  if ((await deps.kv.get(DEMO_KEY)).value !== null) return undefined;
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const password = `demo-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  const { tenant } = await signUp(deps.kv, {
    organisation: "Demo Clinic",
    email: DEMO_EMAIL,
    password,
  });
  await deps.kv.set(DEMO_KEY, { tenant: tenant.id, email: DEMO_EMAIL });
  const inputs = tenantRoot(deps.inputRoot, tenant.id, deps.tenantFiles);
  for (const file of DEMO_FILES) {
    await Deno.mkdir(dirname(join(inputs, file)), { recursive: true });
    await Deno.copyFile(join(projectRoot, file), join(inputs, file));
  }
  const runs: string[] = [];
  for (const path of DEMO_EXAMPLES) {
    const spec = JSON.parse(await Deno.readTextFile(join(projectRoot, path)));
    const pipeline = await createPipeline(deps.kv, tenant.id, spec, undefined, {
      secrets: deps.secrets,
    });
    const run = await startPipelineRun(deps, tenant.id, pipeline.spec, {
      pipelineId: pipeline.id,
      trigger: "api",
      by: "first start (demo)",
    });
    runs.push(run.id);
  }
  return { tenant: tenant.id, email: DEMO_EMAIL, password, runs };
}
