import assert from "node:assert/strict";
import { connectionContext, listCatalog, testConnection } from "./connections.ts";

Deno.test("testConnection lists every settings problem with its path", async () => {
  const answer = await testConnection("source", { type: "csv" }, connectionContext());
  assert.equal(answer.ok, false);
  assert.match(answer.message, /The source settings have 1 problem\(s\)\n- source\.path: /);
});

Deno.test("testConnection names an unknown type", async () => {
  const answer = await testConnection("repository", { type: "ftp" }, connectionContext());
  assert.deepEqual(answer, {
    ok: false,
    message: 'repository.type: unknown repository type "ftp"',
  });
});

Deno.test("testConnection says a file source has nothing to connect to", async () => {
  const answer = await testConnection(
    "source",
    { type: "csv", path: "a.csv" },
    connectionContext(),
  );
  assert.deepEqual(answer, {
    ok: true,
    message: "CSV file: nothing to connect to; settings are valid",
  });
});

Deno.test("listCatalog says when a source has no tables", async () => {
  const answer = await listCatalog({ type: "csv", path: "a.csv" }, connectionContext());
  assert.deepEqual(answer, { ok: false, message: "CSV file has no tables to list" });
});
