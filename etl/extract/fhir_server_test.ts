import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { type TestServer, withServer } from "../net/_test_server.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import type { Batch, Cursor } from "../types.ts";
import { FhirServerConfig, fhirServerExtractor, outcomeText } from "./fhir_server.ts";

const KEY = "fhir-KEY-31337";
const PATIENTS = Array.from({ length: 7 }, (_, i) => ({
  resourceType: "Patient",
  id: `p${i}`,
  name: [{ family: `Family${i}` }],
  managingOrganization: { reference: "Organization/o1" },
}));
const PAGES = [PATIENTS.slice(0, 3), PATIENTS.slice(3, 6), PATIENTS.slice(6)];

/** A FHIR server: Patient search in 3 pages (next links carry the API key, as some servers do). */
function fhir(_req: Request, url: URL): Response {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/fhir+json" },
    });
  if (url.pathname === "/fhir/metadata") {
    return json({
      resourceType: "CapabilityStatement",
      fhirVersion: "4.0.1",
      software: { name: "HAPI FHIR Server", version: "7.2.0" },
    });
  }
  if (url.pathname === "/fhir/Patient") {
    const page = Number(url.searchParams.get("_page") ?? 0);
    const key = url.searchParams.get("api_key");
    const entry: unknown[] = PAGES[page].map((resource) => ({
      fullUrl: `${url.origin}/fhir/Patient/${resource.id}`,
      resource,
      search: { mode: "match" },
    }));
    if (page === 0) {
      entry.push({
        resource: { resourceType: "Organization", id: "o1" },
        search: { mode: "include" },
      });
      entry.push({
        resource: {
          resourceType: "OperationOutcome",
          issue: [{ severity: "warning", code: "informational" }],
        },
        search: { mode: "outcome" },
      });
    }
    const link = [{ relation: "self", url: url.href }];
    if (page < 2) {
      const next = new URL(`${url.origin}/fhir/Patient?_page=${page + 1}&_getpages=abc%20def`);
      if (key) next.searchParams.set("api_key", key);
      link.push({ relation: "next", url: next.href });
    }
    return json({ resourceType: "Bundle", type: "searchset", total: 7, link, entry });
  }
  if (url.pathname === "/fhir/Observation") {
    return json({
      resourceType: "OperationOutcome",
      issue: [{
        severity: "error",
        code: "invalid",
        diagnostics: 'Unknown search parameter "foo"',
      }],
    }, 400);
  }
  if (url.pathname === "/fhir/Encounter") {
    return json({
      resourceType: "Bundle",
      type: "searchset",
      entry: [{ fullUrl: "x" }, { resource: { resourceType: "Encounter", id: "e1" } }],
    });
  }
  return json({ resourceType: "Patient", id: "not-a-bundle" });
}

async function read(
  server: TestServer,
  config: Record<string, unknown>,
  options: { from?: Cursor; batchSize?: number } = {},
) {
  const ctx = testContext({ allowPrivateNetwork: true });
  const parsed = FhirServerConfig.parse({ baseUrl: `${server.origin}/fhir/`, ...config });
  const batches: Batch[] = [];
  const run = fhirServerExtractor.run(ctx, parsed, {
    batchSize: options.batchSize ?? 100,
    from: options.from,
  });
  for await (const batch of run) batches.push(batch);
  return {
    batches,
    ids: batches.flatMap((b) => b.rows.map((r) => r.id)),
    refs: batches.flatMap((b) => b.refs),
    rejected: batches.flatMap((b) => b.rejected ?? []),
    cursors: batches.map((b) => b.cursor),
  };
}

const ALL = PATIENTS.map((p) => p.id);

Deno.test("fhirServerExtractor keeps the registry contract", () => {
  assertEntryContract(fhirServerExtractor);
});

Deno.test("fhirServerExtractor follows next links through a 3-page search", async () => {
  await withServer(fhir, async (server) => {
    const { ids, batches, refs, cursors } = await read(server, {
      resourceType: "Patient",
      search: "birthdate=ge2000-01-01&birthdate=le2010-12-31",
      pageSize: 3,
    });
    assert.deepEqual(
      ids,
      ALL,
      "every Patient once; the included Organization and the outcome skipped",
    );
    assert.equal(batches.length, 3);
    assert.deepEqual(batches[0].rows[0], PATIENTS[0]);
    assert.deepEqual(refs[4], {
      source: `${server.origin}/fhir/Patient?_page=1&_getpages=abc%20def`,
      index: 1,
      key: "Patient/p4",
    });
    assert.equal(cursors.at(-1)?.end, true);
    const first = server.requests[0];
    assert.deepEqual(first.url.searchParams.getAll("birthdate"), ["ge2000-01-01", "le2010-12-31"]);
    assert.equal(first.url.searchParams.get("_count"), "3");
    assert.equal(first.headers.get("accept"), "application/fhir+json");
  });
});

Deno.test("fhirServerExtractor reads included resources when asked", async () => {
  await withServer(fhir, async (server) => {
    const { ids, refs } = await read(server, { resourceType: "Patient", includeIncluded: true });
    assert.deepEqual(ids, [...ALL.slice(0, 3), "o1", ...ALL.slice(3)]);
    assert.equal(refs[3].key, "Organization/o1");
  });
});

Deno.test("fhirServerExtractor resumes from a next link without storing the API key", async () => {
  await withServer(fhir, async (server) => {
    const config = {
      resourceType: "Patient",
      auth: "apiKeyQuery",
      apiKeyName: "api_key",
      apiKey: KEY,
    };
    const first = await read(server, config, { batchSize: 2 });
    assert.deepEqual(first.ids, ALL);
    const stored = JSON.stringify([first.cursors, first.refs]);
    assert.ok(!stored.includes(KEY), stored);
    for (const at of [0, 1, 2]) {
      const seen = server.requests.length;
      const rest = await read(server, config, { batchSize: 2, from: first.cursors[at] });
      const before = first.batches.slice(0, at + 1).flatMap((b) => b.rows.map((r) => r.id));
      assert.deepEqual([...before, ...rest.ids], ALL, `from batch ${at}`);
      for (const req of server.requests.slice(seen)) {
        assert.equal(req.url.searchParams.get("api_key"), KEY);
      }
    }
  });
});

Deno.test("fhirServerExtractor turns an OperationOutcome into a readable message", async () => {
  await withServer(fhir, async (server) => {
    const err = await failure(() => read(server, { resourceType: "Observation", search: "foo=1" }));
    assert.ok(err instanceof ConfigError);
    assert.equal(
      err.message,
      `The server at ${server.origin}/fhir/Observation?foo=1 answered HTTP 400 (Bad Request): error: Unknown search parameter "foo"`,
    );
    const wrong = await failure(() => read(server, { resourceType: "Medication" }));
    assert.equal(
      wrong.message,
      `The FHIR server answered ${server.origin}/fhir/Medication with a Patient, not a search Bundle; check baseUrl and resourceType`,
    );
  });
  assert.equal(
    outcomeText({
      resourceType: "OperationOutcome",
      issue: [{ severity: "fatal", details: { text: "Database down" } }],
    }),
    "fatal: Database down",
  );
  assert.equal(outcomeText({ resourceType: "Patient" }), undefined);
});

Deno.test("fhirServerExtractor rejects entries without a resource", async () => {
  await withServer(fhir, async (server) => {
    const { ids, rejected } = await read(server, { resourceType: "Encounter" });
    assert.deepEqual(ids, ["e1"]);
    assert.deepEqual(rejected.map((r) => [r.ref.index, r.reason]), [[
      0,
      "entry 0 has no resource",
    ]]);
  });
});

Deno.test("fhirServerExtractor test() reads the CapabilityStatement", async () => {
  await withServer(fhir, async (server) => {
    const ctx = testContext({ allowPrivateNetwork: true });
    const ok = await fhirServerExtractor.test!(
      ctx,
      FhirServerConfig.parse({ baseUrl: `${server.origin}/fhir`, resourceType: "Patient" }),
    );
    assert.equal(
      ok.message,
      `Reached ${new URL(server.origin).host}: FHIR 4.0.1 (R4), HAPI FHIR Server 7.2.0`,
    );
    const notFhir = await failure(() =>
      fhirServerExtractor.test!(
        ctx,
        FhirServerConfig.parse({ baseUrl: `${server.origin}/other`, resourceType: "Patient" }),
      )
    );
    assert.match(notFhir.message, /did not answer with a CapabilityStatement, .*check baseUrl$/);
    const refused = await failure(() =>
      fhirServerExtractor.test!(
        testContext(),
        FhirServerConfig.parse({ baseUrl: `${server.origin}/fhir`, resourceType: "Patient" }),
      )
    );
    assert.match(refused.message, /a private or local network address/);
  });
});
