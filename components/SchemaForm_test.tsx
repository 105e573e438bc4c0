import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { csvExtractor } from "../etl/extract/csv.ts";
import { mysqlExtractor } from "../etl/extract/mysql.ts";
import { restExtractor } from "../etl/extract/rest.ts";
import { fhirServerExtractor } from "../etl/extract/fhir_server.ts";
import { configFromForm, SchemaForm } from "./SchemaForm.tsx";
import { problemsByField } from "./schema_fields.ts";

Deno.test("SchemaForm labels every field, with its description as help and choices as selects", () => {
  const html = renderToString(<SchemaForm entry={mysqlExtractor} />);
  for (const name of ["host", "port", "database", "user", "password", "tls", "binary"]) {
    assert.match(html, new RegExp(`<label for="cfg-${name}">`), name);
    assert.match(html, new RegExp(`name="cfg.${name}"`), name);
  }
  assert.match(html, /Server host name or address\./);
  assert.match(html, /<select id="cfg-tls"[^>]*>.*<option value="off" selected>Off<\/option>/s);
  assert.match(html, /id="cfg-port"[^>]*type="number"|type="number"[^>]*id="cfg-port"/);
  assert.match(html, /<details class="more">/);
  // Lists say how to type them.
  assert.match(html, /Columns to read \(default: all\)\. Separate names with commas\./);
});

Deno.test("SchemaForm never shows a secret, and says when one is saved", () => {
  const sealed = { $sealed: "v1.abc.def" };
  const saved = renderToString(
    <SchemaForm entry={mysqlExtractor} values={{ host: "db", password: sealed }} />,
  );
  assert.match(
    saved,
    /<input id="cfg-password"[^>]*type="password" value(="")? autocomplete="new-password"/,
  );
  assert.match(saved, /Saved — leave empty to keep it/);
  assert.doesNotMatch(saved, /v1\.abc\.def/);
  const typed = renderToString(
    <SchemaForm entry={mysqlExtractor} values={{ password: "hunter2-secret" }} />,
  );
  assert.doesNotMatch(typed, /hunter2-secret/);
  const none = renderToString(<SchemaForm entry={mysqlExtractor} values={{}} />);
  assert.doesNotMatch(none, /Saved — leave empty/);
});

Deno.test("SchemaForm puts each problem beside the field it names", () => {
  const html = renderToString(
    <SchemaForm
      entry={mysqlExtractor}
      problems={["source.port: Too big: expected number to be <=65535", "source: something else"]}
    />,
  );
  assert.match(
    html,
    /class="field invalid">.*id="cfg-port".*<p class="error" id="cfg-port-error">Too big: expected number to be &lt;=65535\.<\/p>/s,
  );
  assert.match(html, /aria-invalid="true"/);
  assert.match(html, /<li>Source: something else\.<\/li>/);
});

Deno.test("SchemaForm shows booleans as checkboxes and records as a JSON box", () => {
  const html = renderToString(
    <SchemaForm entry={fhirServerExtractor} values={{ headers: { Accept: "x" } }} />,
  );
  assert.match(
    html,
    /<input id="cfg-includeIncluded" name="cfg.includeIncluded"[^>]*type="checkbox"/,
  );
  assert.match(
    html,
    /<textarea id="cfg-headers"[^>]*>\{\n {2}&quot;Accept&quot;: &quot;x&quot;\n\}<\/textarea>/,
  );
  assert.match(html, /Write it as JSON/);
});

Deno.test("configFromForm types the values and drops empty optional fields", () => {
  const { config, problems } = configFromForm(mysqlExtractor, {
    "cfg.host": " db.clinic.org ",
    "cfg.port": "3307",
    "cfg.database": "emr",
    "cfg.user": "etl",
    "cfg.password": "",
    "cfg.tls": "require",
    "cfg.ca": "",
    "cfg.columns": "id, name,,birth_date",
    "cfg.connectTimeoutSeconds": ["5", "7"],
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(config, {
    host: "db.clinic.org",
    port: 3307,
    database: "emr",
    user: "etl",
    tls: "require",
    columns: ["id", "name", "birth_date"],
    connectTimeoutSeconds: 7,
  });
  assert.equal(mysqlExtractor.config.safeParse({ ...config, table: "patients" }).success, true);
});

Deno.test("configFromForm reads checkboxes and JSON, and names what it cannot read", () => {
  const rest = configFromForm(restExtractor, {
    "cfg.url": "https://api.example.org/v1/patients",
    "cfg.query": '{"status": "active"}',
    "cfg.headers": "{not json",
    "cfg.timeoutSeconds": "soon",
  });
  assert.deepEqual(rest.config.query, { status: "active" });
  assert.deepEqual(rest.problems, [
    'headers: is not valid JSON; write it like {"name": "value"}',
    'timeoutSeconds: "soon" is not a number',
  ]);
  assert.equal(rest.echo.headers, "{not json");
  const fhir = configFromForm(fhirServerExtractor, { "cfg.includeIncluded": "true" });
  assert.equal(fhir.config.includeIncluded, true);
  assert.equal(configFromForm(fhirServerExtractor, {}).config.includeIncluded, false);
  // Omitted fields are not read at all.
  const csv = configFromForm(csvExtractor, { "cfg.path": "x.csv", "cfg.delimiter": ";" }, {
    omit: ["path"],
  });
  assert.deepEqual(csv.config, { delimiter: ";" });
});

Deno.test("problemsByField strips source./config. and keeps the rest", () => {
  const { byField, other } = problemsByField(
    ["config.host: is empty", "source.headers.Accept: expected string", "name: too long"],
    ["host", "headers"],
  );
  assert.deepEqual(byField, { host: "Is empty.", headers: "Accept: expected string." });
  assert.deepEqual(other, ["name: too long"]);
});
