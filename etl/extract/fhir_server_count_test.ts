import assert from "node:assert/strict";
import { Gate, type TestServer, withServer } from "../net/_test_server.ts";
import { testContext } from "../testing.ts";
import { countUrl, FhirServerConfig, fhirServerExtractor } from "./fhir_server.ts";

const PATIENTS = Array.from({ length: 7 }, (_, i) => ({ resourceType: "Patient", id: `p${i}` }));

const fhirJson = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/fhir+json" },
  });

/**
 * A FHIR server whose Patient search has 7 matches in pages of 3 and answers `_summary=count`
 * with the total only. Observation: `_summary` unknown, the first page with its total instead.
 * Encounter: no total. Condition: an OperationOutcome. Procedure: busy (503).
 */
function fhir(_req: Request, url: URL): Response {
  const summary = url.searchParams.get("_summary");
  switch (url.pathname) {
    case "/fhir/Patient": {
      if (summary === "count") {
        return fhirJson({ resourceType: "Bundle", type: "searchset", total: 7 });
      }
      const page = Number(url.searchParams.get("_page") ?? 0);
      const link = page < 2
        ? [{ relation: "next", url: `${url.origin}/fhir/Patient?_page=${page + 1}` }]
        : [];
      const entry = PATIENTS.slice(page * 3, page * 3 + 3).map((resource) => ({ resource }));
      return fhirJson({ resourceType: "Bundle", type: "searchset", total: 7, link, entry });
    }
    case "/fhir/Observation":
      return fhirJson({
        resourceType: "Bundle",
        type: "searchset",
        total: 42,
        entry: [{ resource: { resourceType: "Observation", id: "o1" } }],
      });
    case "/fhir/Encounter":
      return fhirJson({ resourceType: "Bundle", type: "searchset", entry: [] });
    case "/fhir/Condition":
      return fhirJson({
        resourceType: "OperationOutcome",
        issue: [{ severity: "error", code: "not-supported", diagnostics: "_summary" }],
      }, 400);
    case "/fhir/Procedure":
      return fhirJson({ resourceType: "OperationOutcome", issue: [] }, 503);
  }
  return fhirJson({ resourceType: "Patient", id: "not-a-bundle" });
}

function count(
  server: TestServer,
  fields: Record<string, unknown>,
  ctx = testContext({ allowPrivateNetwork: true }),
) {
  const config = FhirServerConfig.parse({ baseUrl: `${server.origin}/fhir/`, ...fields });
  return fhirServerExtractor.count!(ctx, config, {});
}

Deno.test("fhirServerExtractor.count asks once with _summary=count and gives the total", async () => {
  await withServer(fhir, async (server) => {
    const fields = {
      resourceType: "Patient",
      search: "birthdate=ge2000-01-01&_count=50",
      pageSize: 3,
      auth: "bearer",
      token: "t0ken",
    };
    assert.equal(await count(server, fields), 7);
    assert.equal(server.requests.length, 1);
    const seen = server.requests[0];
    assert.equal(seen.url.searchParams.get("_summary"), "count");
    assert.equal(seen.url.searchParams.get("_count"), null);
    assert.equal(seen.url.searchParams.get("birthdate"), "ge2000-01-01");
    assert.equal(seen.headers.get("authorization"), "Bearer t0ken");
    // The total is what the read then gives, page by page.
    const config = FhirServerConfig.parse({ baseUrl: `${server.origin}/fhir`, ...fields });
    const run = fhirServerExtractor.run(testContext({ allowPrivateNetwork: true }), config, {
      batchSize: 100,
    });
    let read = 0;
    for await (const batch of run) read += batch.rows.length;
    assert.equal(read, 7);
  });
});

Deno.test("fhirServerExtractor.count takes the total of a server that ignores _summary", async () => {
  await withServer(fhir, async (server) => {
    assert.equal(await count(server, { resourceType: "Observation" }), 42);
  });
});

Deno.test("fhirServerExtractor.count is undefined when the server gives no total or fails", async () => {
  await withServer(fhir, async (server) => {
    assert.equal(await count(server, { resourceType: "Encounter" }), undefined);
    assert.equal(await count(server, { resourceType: "Condition" }), undefined);
    assert.equal(await count(server, { resourceType: "Medication" }), undefined);
    const before = server.requests.length;
    assert.equal(await count(server, { resourceType: "Procedure" }), undefined);
    assert.equal(server.requests.length - before, 1, "a count is not retried");
    // Not allowed to reach a loopback address: undefined, the read says why.
    assert.equal(await count(server, { resourceType: "Patient" }, testContext()), undefined);
  });
});

Deno.test("fhirServerExtractor.count is undefined when rows read would differ from matches", async () => {
  await withServer(fhir, async (server) => {
    const included = { resourceType: "Patient", search: "_include=Patient:organization" };
    assert.equal(await count(server, { ...included, includeIncluded: true }), undefined);
    assert.equal(await count(server, { resourceType: "Patient", maxPages: 1 }), undefined);
    assert.equal(server.requests.length, 0, "no request when the total cannot be the rows read");
    // Included resources that are skipped do not change the count.
    assert.equal(await count(server, included), 7);
    assert.equal(await count(server, { resourceType: "Patient", includeIncluded: true }), 7);
  });
});

Deno.test("fhirServerExtractor.count gives up on a slow server", async () => {
  const gate = new Gate();
  await withServer(async () => {
    await gate.wait();
    return fhirJson({ resourceType: "Bundle", total: 1 });
  }, async (server) => {
    const started = Date.now();
    try {
      const n = await count(server, { resourceType: "Patient", timeoutSeconds: 0.3 });
      assert.equal(n, undefined);
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    } finally {
      gate.open();
    }
  });
});

Deno.test("countUrl asks for the total only", () => {
  const config = FhirServerConfig.parse({
    baseUrl: "https://fhir.example.org/r4/",
    resourceType: "Patient",
    search: "?name=Müller&_summary=true",
    pageSize: 20,
  });
  assert.equal(
    countUrl(config),
    "https://fhir.example.org/r4/Patient?name=M%C3%BCller&_summary=count",
  );
});
