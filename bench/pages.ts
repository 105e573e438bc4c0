/**
 * `deno run -A bench/pages.ts`: how fast the dashboard's server-rendered pages answer, through
 * the real app (sessions, CSRF middleware, KV reads, Preact rendering), for a tenant with a few
 * pipelines and runs. Prints p50 / p95 / max per page over `--n` requests (default 200), and the
 * island bundle sizes. Not run in CI; the target is p95 under 50 ms on a developer machine.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPipelineRun } from "../pipelines/start.ts";
import { createPipeline } from "../pipelines/store.ts";
import { drive } from "../routes/_testing.ts";
import { buildIslands } from "../web/build.ts";
import { accountsApp } from "../web/_testing.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "200" } },
});
const n = Number(values.n);
const root = fileURLToPath(new URL("..", import.meta.url));
const t = await accountsApp({ tenantFiles: true, publicUrl: "http://portal.test" });
const owner = await t.signUp();
const folder = join(t.deps.inputRoot, owner.tenant, "data/samples/synthea");
await Deno.mkdir(folder, { recursive: true });
await Deno.copyFile(join(root, "data/samples/synthea/patients.csv"), join(folder, "patients.csv"));
const spec = JSON.parse(await Deno.readTextFile(join(root, "examples/synthea_patients.json")));
let runId = "";
let pipelineId = "";
for (let i = 0; i < 5; i++) {
  const p = await createPipeline(
    t.kv,
    owner.tenant,
    { ...spec, name: `patients-${i}` },
    undefined,
    {
      secrets: t.deps.secrets,
    },
  );
  pipelineId = p.id;
  for (let j = 0; j < 4; j++) {
    const run = await startPipelineRun(t.deps, owner.tenant, p.spec, {
      pipelineId: p.id,
      trigger: "api",
    });
    await drive(t.deps, owner.tenant, run.id);
    runId = run.id;
  }
}
const draft = await t.call("GET", "/app/pipelines/new", { as: owner });
const draftUrl = draft.headers.get("location") ?? "/app";

const pages = [
  "/signin",
  "/app",
  "/app/runs",
  `/app/runs/${runId}`,
  `/app/runs/${runId}/report`,
  `/app/pipelines/${pipelineId}`,
  draftUrl,
  "/app/connections",
  "/app/members",
  "/app/audit",
];
console.log(`${n} requests per page, ${Deno.build.os} ${navigator.hardwareConcurrency} cores`);
console.log(
  "page".padEnd(48),
  "status",
  "p50 ms".padStart(8),
  "p95 ms".padStart(8),
  "max ms".padStart(8),
);
for (const path of pages) {
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await t.call("GET", path, { as: owner });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    status = res.status;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  console.log(
    path.slice(0, 47).padEnd(48),
    String(status).padEnd(6),
    q(0.5).padStart(8),
    q(0.95).padStart(8),
    q(1).padStart(8),
  );
}
const sizes = await buildIslands();
for (const [name, size] of Object.entries(sizes)) {
  const gz = new Uint8Array(
    await new Response(
      (await Deno.open(join(root, "static/build", `${name}.js`))).readable.pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  ).length;
  console.log(
    `island ${name}: ${(size / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`,
  );
}
await t.close();
