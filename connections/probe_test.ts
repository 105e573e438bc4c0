import assert from "node:assert/strict";
import { extractors } from "../etl/extract/mod.ts";
import { loaders } from "../etl/load/mod.ts";
import { MASK } from "../vault/fields.ts";
import { probeStep, redactSecrets } from "./probe.ts";

const db = { host: "db", user: "etl", database: "emr", password: "pw" };

Deno.test("probeStep() lets the full schema accept a saved connection without table or query", () => {
  const cases = [
    ["source", { type: "mysql", ...db }, extractors],
    ["source", { type: "postgres", ...db }, extractors],
    ["repository", { type: "postgres", ...db }, loaders],
    ["source", { type: "fhir-server", baseUrl: "https://fhir.example.org/r4" }, extractors],
  ] as const;
  for (const [kind, step, registry] of cases) {
    const { type, ...config } = step;
    const schema = registry.get(type)!.config;
    assert.equal(schema.safeParse(config).success, false, `${type} needs more than a connection`);
    const { type: _, ...probed } = probeStep(kind, step);
    assert.ok(schema.safeParse(probed).success, `${kind} ${type} is still refused`);
  }
  const withTable = probeStep("source", { type: "mysql", ...db, table: "patients" });
  assert.equal(withTable.query, undefined, "a saved table is kept and no query is added");
});

Deno.test("redactSecrets() masks secrets as typed and URL-encoded, and leaves short values", () => {
  const text = "GET https://api.example.org/?key=s%2F3cret failed for s/3cret (pin 123)";
  assert.equal(
    redactSecrets(text, ["s/3cret", "123", undefined]),
    `GET https://api.example.org/?key=${MASK} failed for ${MASK} (pin 123)`,
  );
});
