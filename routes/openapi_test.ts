import assert from "node:assert/strict";
import { z } from "zod";
import { AcceptInviteBody, SignInBody, SignUpBody } from "../web/auth_routes.ts";
import { ChangeMemberBody, CreateInviteBody, CreateTokenBody } from "./api_members.ts";
import { testApp } from "./_testing.ts";

type Operation = {
  parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};

const DOCUMENTED_PREFIXES = ["/api/v1/", "/auth/", "/hooks/"];
const METHODS = ["get", "post", "put", "patch", "delete"];

async function documentOf(t: { call: (m: string, p: string, i?: object) => Promise<Response> }) {
  const res = await t.call("GET", "/api/openapi.json", { token: null });
  assert.equal(res.status, 200);
  return await res.json() as Doc;
}

/** Every `[METHOD, path]` the document describes. */
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => [m.toUpperCase(), path])
  );

Deno.test("openApiDocument() documents every route mounted under /api/v1, /auth and /hooks", async () => {
  const t = await testApp();
  try {
    const doc = await documentOf(t);
    const mounted = new Set(
      t.app.routes
        .filter((r) => r.method !== "ALL")
        .filter((r) => DOCUMENTED_PREFIXES.some((p) => `${r.path}/`.startsWith(p)))
        .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
    );
    assert.ok(mounted.size >= 30, `only ${mounted.size} routes found; is app.routes still flat?`);
    const undocumented = [...mounted].filter((route) => {
      const [method, path] = route.split(" ");
      return doc.paths[path]?.[method.toLowerCase()] === undefined;
    });
    assert.deepEqual(undocumented, []);
  } finally {
    await t.close();
  }
});

Deno.test("openApiDocument() documents no route the app does not have", async () => {
  const t = await testApp();
  try {
    const doc = await documentOf(t);
    const ops = operations(doc);
    assert.ok(ops.length >= 30);
    const missing: string[] = [];
    for (const [method, path] of ops) {
      // Ids that exist nowhere: the route answers 400/404 with its own sentence, not Hono's.
      const url = path.replace(/\{[^}]+\}/g, "0".repeat(32));
      const res = await t.call(method, url, method === "GET" ? {} : { body: {} });
      const text = await res.text();
      if (res.status === 404 && text.includes("There is nothing at")) {
        missing.push(`${method} ${path}`);
      }
    }
    assert.deepEqual(missing, []);
  } finally {
    await t.close();
  }
});

Deno.test("openApiDocument() has a component for every $ref", async () => {
  const t = await testApp();
  try {
    const doc = await documentOf(t);
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== "object") return;
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string") refs.add(value);
        else walk(value);
      }
    };
    walk(doc);
    assert.ok(refs.has("#/components/schemas/Connection"));
    const dangling = [...refs].filter((ref) => {
      const [, , kind, name] = ref.split("/");
      return doc.components[kind]?.[name] === undefined;
    });
    assert.deepEqual(dangling, []);
  } finally {
    await t.close();
  }
});

Deno.test("openApiDocument() gives every change under /api/v1 the CSRF header and a 403", async () => {
  const t = await testApp();
  try {
    const doc = await documentOf(t);
    const changes = operations(doc).filter(([m, p]) => m !== "GET" && p.startsWith("/api/v1/"));
    assert.ok(changes.length >= 15);
    const lacking = changes.filter(([method, path]) => {
      const op = doc.paths[path][method.toLowerCase()];
      const csrf = op.parameters?.some((p) => p.$ref === "#/components/parameters/CsrfToken");
      return !csrf || !op.responses["403"] || !op.responses["401"];
    });
    assert.deepEqual(lacking, []);
    const schemes = doc.components.securitySchemes as Record<string, { name?: string }>;
    assert.equal(schemes.session.name, "pyx_session");
    assert.ok(schemes.bearer);
  } finally {
    await t.close();
  }
});

Deno.test("openApiDocument() request bodies are the zod schemas the routes check", async () => {
  const t = await testApp();
  try {
    const doc = await documentOf(t);
    const bodyOf = (path: string, method: string) =>
      doc.paths[path][method].requestBody?.content["application/json"].schema;
    const expected: Array<[string, string, z.ZodType]> = [
      ["/auth/signup", "post", SignUpBody],
      ["/auth/signin", "post", SignInBody],
      ["/auth/invites/accept", "post", AcceptInviteBody],
      ["/api/v1/members/{id}", "patch", ChangeMemberBody],
      ["/api/v1/invites", "post", CreateInviteBody],
      ["/api/v1/tokens", "post", CreateTokenBody],
    ];
    for (const [path, method, schema] of expected) {
      assert.deepEqual(bodyOf(path, method), z.toJSONSchema(schema), `${method} ${path}`);
    }
    const audit = doc.paths["/api/v1/audit"].get.parameters!.map((p) => `${p.in}:${p.name}`);
    assert.deepEqual(audit, ["query:limit", "query:cursor"]);
    const connection = bodyOf("/api/v1/connections", "post") as { required: string[] };
    assert.deepEqual(connection.required, ["name", "kind", "type"]);
    const run = doc.components.schemas.Run as { properties: Record<string, unknown> };
    assert.ok(run.properties.startedBy);
    const output = doc.paths["/api/v1/runs/{id}/output"].get.responses;
    assert.ok(output["200"] && output["409"]);
  } finally {
    await t.close();
  }
});
