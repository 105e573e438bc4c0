import assert from "node:assert/strict";
import { reportRoutes } from "./api_reports.ts";
import { reportPaths } from "./_openapi_reports.ts";
import { reportsApp } from "./_reports_testing.ts";
import { TOKEN_A } from "./_testing.ts";

type Operation = { parameters?: { $ref?: string }[]; responses: Record<string, unknown> };

Deno.test("reportPaths() documents every report route, and each documented one answers", async () => {
  const t = await reportsApp();
  try {
    const paths = reportPaths() as Record<string, Record<string, Operation>>;
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)
    ).sort();
    // A route with a role check is listed once per handler: count it once.
    const routes = reportRoutes({
      engine: t.deps,
      auth: { authenticate: () => Promise.resolve(undefined) },
    })
      .routes.map((r) => `${r.method} /api/v1${r.path.replace(/:(\w+)/g, "{$1}")}`).sort();
    assert.deepEqual(documented, [...new Set(routes)]);
    for (const route of documented) {
      const [method, path] = route.split(" ");
      const res = await t.call(method, path.replace("{id}", "0".repeat(32)), {
        token: TOKEN_A,
        ...(method === "GET" ? {} : { body: {} }),
      });
      const text = await res.text();
      assert.equal(text.includes("There is nothing at"), false, `${route}: ${text}`);
      assert.ok([200, 400, 404].includes(res.status), `${route}: ${res.status} ${text}`);
      const op = paths[path][method.toLowerCase()];
      assert.ok(op.responses["401"], `${route} documents 401`);
      if (method !== "GET") {
        assert.ok(op.responses["403"], `${route} documents 403`);
        assert.ok(op.parameters?.some((p) => p.$ref === "#/components/parameters/CsrfToken"));
      }
    }
    assert.equal(JSON.stringify(paths).includes('"$ref":"#/components/schemas/Report'), false);
  } finally {
    await t.close();
  }
});
