import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { createTestDatabase } from "../../etl/db/_pg_testing.ts";
import { SESSION_COOKIE } from "../../routes/principal.ts";
import { type AccountsApp, accountsApp, type Browser } from "../_testing.ts";
import { UPLOADS_PATH } from "../uploads.ts";
import { getDraft } from "./draft.ts";

const PATIENTS = new URL("../../data/samples/synthea/patients.csv", import.meta.url);

async function withApp(fn: (t: AccountsApp, owner: Browser) => Promise<void>) {
  const t = await accountsApp({ tenantFiles: true });
  try {
    await fn(t, await t.signUp());
  } finally {
    await t.close();
  }
}

/** Start a pipeline and choose the type of data; returns the source step's path. */
async function sourceStep(t: AccountsApp, as: Browser, type: string): Promise<string> {
  const started = await t.call("GET", "/app/pipelines/new", { as });
  const path = started.headers.get("Location")!;
  assert.match(path, /^\/app\/pipelines\/new\/[0-9a-f]{24}\/source$/);
  const chosen = await t.call("POST", path, {
    as,
    form: { _csrf: as.csrf, action: "choose", type },
  });
  assert.equal(chosen.status, 303);
  return path;
}

/** Upload a file as the island does; returns the stored path. */
async function upload(t: AccountsApp, as: Browser, name: string, body: BodyInit): Promise<string> {
  const res = await t.app.request(`${t.base}${UPLOADS_PATH}?name=${encodeURIComponent(name)}`, {
    method: "PUT",
    headers: {
      Origin: t.base,
      Cookie: `${SESSION_COOKIE}=${as.cookie}`,
      "X-CSRF-Token": as.csrf,
    },
    body,
  });
  assert.equal(res.status, 201);
  return (await res.json()).path;
}

const draftId = (path: string) => path.split("/")[4];

/** The option selected in the type select of `column`. */
function chosenType(page: string, column: string): string | undefined {
  const at = page.indexOf(`name="type.${column}"`);
  if (at < 0) return undefined;
  const select = page.slice(at, page.indexOf("</select>", at));
  return /<option value="(\w+)" selected/.exec(select)?.[1];
}

Deno.test("source step: an uploaded CSV shows its first 20 rows with the inferred types", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "csv");
    const page = await (await t.call("GET", path, { as: owner })).text();
    assert.match(page, /Where is your data\?/);
    for (
      const title of [
        "CSV file",
        "JSON file",
        "MySQL / MariaDB table",
        "PostgreSQL table",
        "REST API",
        "FHIR server",
      ]
    ) {
      assert.ok(page.includes(`<strong>${title}</strong>`), title);
    }
    assert.match(page, /<input type="file" id="source-file" name="file" accept=".csv,.tsv,.txt"/);
    assert.match(page, /<script type="module" src="\/static\/build\/upload.js"/);

    const stored = await upload(t, owner, "patients.csv", await Deno.readFile(PATIENTS));
    const res = await t.call("POST", path, {
      as: owner,
      form: { _csrf: owner.csrf, action: "preview", upload: stored },
    });
    assert.equal(res.status, 200);
    const preview = await res.text();
    assert.match(preview, /Preview: the first 20 rows/);
    const body = preview.slice(preview.indexOf("<tbody>"), preview.indexOf("</tbody>"));
    assert.equal(body.match(/<tr>/g)?.length, 20);
    assert.match(body, /Freeman822/);
    assert.equal(chosenType(preview, "BIRTHDATE"), "date");
    assert.equal(chosenType(preview, "LAT"), "decimal");
    assert.equal(chosenType(preview, "FIRST"), "string");
    assert.match(preview, /Using <strong>patients\.csv<\/strong>/);

    // Back on the step later, the preview is there again.
    const again = await (await t.call("GET", path, { as: owner })).text();
    assert.equal(chosenType(again, "BIRTHDATE"), "date");
  }));

Deno.test("source step: a type chosen on the preview is saved with the source, and Next goes on", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "csv");
    const stored = await upload(t, owner, "patients.csv", await Deno.readFile(PATIENTS));
    const preview = await (await t.call("POST", path, {
      as: owner,
      form: { _csrf: owner.csrf, action: "preview", upload: stored },
    })).text();
    const inferred = /name="types_inferred" value="([^"]*)"/.exec(preview)![1].replaceAll(
      "&quot;",
      '"',
    );
    const res = await t.call("POST", path, {
      as: owner,
      form: {
        _csrf: owner.csrf,
        action: "next",
        types_inferred: inferred,
        "type.BIRTHDATE": "string",
        "type.LAT": "decimal",
        "cfg.delimiter": ",",
      },
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("Location"), path.replace(/source$/, "transform"));
    const draft = (await getDraft(t.kv, owner.tenant, draftId(path)))!;
    assert.deepEqual(draft.typeOverrides, { BIRTHDATE: "string" });
    assert.deepEqual(draft.spec.source, {
      type: "csv",
      path: stored,
      delimiter: ",",
    });
    assert.equal(draft.sourceMode, "upload");
    assert.equal(draft.upload?.name, "patients.csv");
    assert.equal(draft.spec.name, "patients");
    assert.equal(draft.reached, "transform");
    const back = await (await t.call("GET", path, { as: owner })).text();
    assert.equal(chosenType(back, "BIRTHDATE"), "string");
  }));

Deno.test("source step: a CSV with a ragged line names the line and the reason", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "csv");
    const stored = await upload(t, owner, "visits.csv", "id,name\n1,Ana\n2\n3,Ben\n");
    const page = await (await t.call("POST", path, {
      as: owner,
      form: { _csrf: owner.csrf, action: "preview", upload: stored },
    })).text();
    assert.match(page, /1 line could not be used:/);
    assert.match(page, /<li>Line 3 has 1 fields, header has 2\.<\/li>/);
    assert.match(page, /Preview: the first 2 rows/);
    // A JSON file for a CSV source says what to do.
    const json = await upload(t, owner, "rows.json", '[{"a":1}]');
    const wrong = await t.call("POST", path, {
      as: owner,
      form: { _csrf: owner.csrf, action: "preview", upload: json },
    });
    assert.equal(wrong.status, 400);
    assert.match(
      await wrong.text(),
      /&quot;rows\.json&quot; is a JSON file: choose &quot;JSON file&quot;/,
    );
  }));

Deno.test("source step: without JavaScript the form posts a small file itself", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "csv");
    const form = new FormData();
    form.set("_csrf", owner.csrf);
    form.set("action", "preview");
    form.set("file", new File(["id;born\n1;2001-02-03\n2;1999-12-31\n"], "kids.csv"));
    const res = await t.app.request(`${t.base}${path}`, {
      method: "POST",
      headers: { Origin: t.base, Cookie: `${SESSION_COOKIE}=${owner.cookie}` },
      body: form,
    });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /Using <strong>kids\.csv<\/strong>/);
    assert.equal(chosenType(page, "born"), "date");
    assert.equal(chosenType(page, "id"), "integer");
  }));

Deno.test("source step: MariaDB with a wrong password shows the readable error beside the form", async () => {
  const user = `pyx_src_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const root = await mysql.createConnection({ host: "127.0.0.1", user: "root", database: "test" });
  await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'right-password-42'`);
  await root.query(`GRANT SELECT ON test.* TO '${user}'@'%'`);
  try {
    await withApp(async (t, owner) => {
      t.deps.allowPrivateNetwork = true;
      const path = await sourceStep(t, owner, "mysql");
      const settings = {
        _csrf: owner.csrf,
        mode: "settings",
        "cfg.host": "127.0.0.1",
        "cfg.port": "3306",
        "cfg.database": "test",
        "cfg.user": user,
      };
      const res = await t.call("POST", path, {
        as: owner,
        form: { ...settings, action: "test", "cfg.password": "wrong-password-7" },
      });
      assert.equal(res.status, 200);
      const page = await res.text();
      const answer =
        /<div id="connection-answer" class="alert alert-error answer" role="alert">(.*?)<\/div>/s
          .exec(page)?.[1];
      assert.ok(answer, "the answer is next to the form");
      assert.match(
        answer,
        new RegExp(
          `Could not connect\\.</strong> The server at 127\\.0\\.0\\.1:3306 refused user &quot;${user}&quot;: check the user name and password`,
        ),
      );
      assert.doesNotMatch(page, /wrong-password-7/);
      assert.match(page, /id="cfg-host"[^>]*value="127\.0\.0\.1"/);

      // The right password, then a test with the password box left empty keeps it.
      await t.call("POST", path, {
        as: owner,
        form: { ...settings, action: "test", "cfg.password": "right-password-42" },
      });
      const ok = await (await t.call("POST", path, {
        as: owner,
        form: { ...settings, action: "test", "cfg.password": "" },
      })).text();
      assert.match(
        ok,
        /class="alert alert-ok answer"[^>]*><p class="answer-title"><strong>Connection works\.<\/strong> Connected to MariaDB/,
      );
      assert.match(ok, /Saved — leave empty to keep it/);
      assert.match(ok, /<select id="source-table" name="table"/);
    });
  } finally {
    await root.query(`DROP USER '${user}'@'%'`);
    await root.end();
  }
});

Deno.test("source step: a saved PostgreSQL connection lists its tables and previews one", async () => {
  const db = await createTestDatabase();
  try {
    await db
      .sql`CREATE TABLE clinic_visits (id int PRIMARY KEY, patient text, born date, insured boolean)`;
    await db.sql`INSERT INTO clinic_visits
      SELECT i, 'Patient ' || i, DATE '1990-01-01' + i, i % 2 = 0 FROM generate_series(1, 30) AS i`;
    await withApp(async (t, owner) => {
      t.deps.allowPrivateNetwork = true;
      const made = await t.call("POST", "/app/connections/new", {
        as: owner,
        form: {
          _csrf: owner.csrf,
          kind: "source",
          type: "postgres",
          name: "Clinic warehouse",
          "cfg.host": db.config.host,
          "cfg.port": String(db.config.port),
          "cfg.database": db.config.database,
          "cfg.user": db.config.user,
        },
      });
      const saved = { id: made.headers.get("Location")!.split("/")[3].split("?")[0] };
      const path = await sourceStep(t, owner, "postgres");
      const page = await (await t.call("GET", path, { as: owner })).text();
      assert.match(
        page,
        /<input type="radio" id="mode-connection" name="mode" value="connection" checked/,
      );
      assert.match(page, new RegExp(`<option value="${saved.id}">Clinic warehouse</option>`));

      // Settings typed first, then the saved connection: the typed password does not carry over.
      await t.call("POST", path, {
        as: owner,
        form: {
          _csrf: owner.csrf,
          action: "preview",
          mode: "settings",
          "cfg.host": "127.0.0.1",
          "cfg.password": "typed-for-settings-1",
        },
      });
      const base = { _csrf: owner.csrf, mode: "connection", connection: saved.id };
      const tested =
        await (await t.call("POST", path, { as: owner, form: { ...base, action: "test" } })).text();
      assert.match(tested, /Connection works\.<\/strong> Connected to PostgreSQL/);
      assert.match(tested, /<option value="clinic_visits">clinic_visits \(4 columns/);

      const res = await t.call("POST", path, {
        as: owner,
        form: { ...base, action: "preview", table: "clinic_visits" },
      });
      const preview = await res.text();
      assert.equal(res.status, 200);
      assert.match(preview, /Preview: the first 20 rows/);
      assert.match(preview, /Patient 20/);
      assert.doesNotMatch(preview, /Patient 21</);
      assert.equal(chosenType(preview, "id"), "integer");
      assert.equal(chosenType(preview, "born"), "date");
      assert.equal(chosenType(preview, "insured"), "boolean");
      assert.equal(chosenType(preview, "patient"), "string");

      const next = await t.call("POST", path, {
        as: owner,
        form: { ...base, action: "next", table: "clinic_visits" },
      });
      assert.equal(next.status, 303);
      const draft = (await getDraft(t.kv, owner.tenant, draftId(path)))!;
      assert.deepEqual(draft.spec.source, {
        type: "postgres",
        connection: saved.id,
        table: "clinic_visits",
      }, "no password is kept from the settings typed before");
      assert.equal(draft.sourceMode, "connection");
      assert.equal(draft.spec.name, "clinic_visits");
    });
  } finally {
    await db.drop();
  }
});

Deno.test("source step: Next shows a setting it cannot read, and a missing table, beside their fields", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "postgres");
    const settings = {
      _csrf: owner.csrf,
      action: "next",
      mode: "settings",
      "cfg.host": "127.0.0.1",
      "cfg.database": "test",
      "cfg.user": "postgres",
    };
    const bad = await t.call("POST", path, {
      as: owner,
      form: { ...settings, "cfg.port": "not a port" },
    });
    assert.equal(bad.status, 400);
    const page = await bad.text();
    assert.match(page, /id="cfg-port-error">&quot;not a port&quot; is not a whole number\./);
    assert.match(page, /value="not a port"/);
    const noTable = await t.call("POST", path, { as: owner, form: settings });
    assert.equal(noTable.status, 400);
    assert.match(
      await noTable.text(),
      /<input type="text" id="source-table" name="table" value spellcheck="false"[^>]*\/>.*<p class="error">Choose the table to read \(Test connection lists them\)\.<\/p>/s,
    );
    assert.equal((await getDraft(t.kv, owner.tenant, draftId(path)))?.reached, "source");
  }));

Deno.test("source step: a JSON file previews its records", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "json");
    const page = await (await t.call("GET", path, { as: owner })).text();
    assert.match(page, /accept=".json,.ndjson"/);
    const stored = await upload(
      t,
      owner,
      "shots.ndjson",
      '{"patient":"p1","vaccine":"08","given":"2024-03-01"}\n{"patient":"p2","vaccine":"140","given":"2024-03-02"}\n',
    );
    const preview = await (await t.call("POST", path, {
      as: owner,
      form: { _csrf: owner.csrf, action: "preview", upload: stored },
    })).text();
    assert.match(preview, /Preview: the first 2 rows/);
    assert.equal(chosenType(preview, "given"), "date");
    // "08" keeps its leading zero: a code, not a number.
    assert.equal(chosenType(preview, "vaccine"), "string");
  }));

Deno.test("source step: a REST API is typed in the generated form and its test answers a sentence", () =>
  withApp(async (t, owner) => {
    const path = await sourceStep(t, owner, "rest");
    const page = await (await t.call("GET", path, { as: owner })).text();
    assert.match(page, /<label for="cfg-url">Address \(URL\)<\/label>/);
    assert.match(page, /<textarea id="cfg-headers" name="cfg.headers"/);
    assert.match(page, /<input id="cfg-token" name="cfg.token"[^>]*type="password"/);
    assert.doesNotMatch(page, /id="source-table"/);
    const res = await t.call("POST", path, {
      as: owner,
      form: {
        _csrf: owner.csrf,
        action: "test",
        "cfg.url": "http://127.0.0.1:9/patients",
        "cfg.auth": "bearer",
        "cfg.token": "api-token-secret-1",
        "cfg.headers": "{broken",
      },
    });
    const tested = await res.text();
    assert.match(tested, /id="cfg-headers-error">Is not valid JSON/);
    assert.match(tested, /id="connection-answer" class="alert alert-error answer"/);
    assert.match(tested, /private or local network address/);
    assert.doesNotMatch(tested, /api-token-secret-1/);
  }));
