import assert from "node:assert/strict";
import { isSealed } from "../../vault/fields.ts";
import { getDraft } from "./draft.ts";
import { formFields, patientsDraft, stepPath, stepsApp } from "./_steps_testing.ts";

const FHIR = {
  transforms: [{ type: "fhir-patient", preset: "synthea" }],
  output: { format: "ndjson" },
};

Deno.test("repository step: a file in the tenant's files, named after the source by default", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      reached: "repository",
      spec: FHIR,
    });
    const html = await (await t.call("GET", stepPath(draft, "repository"), { as: owner })).text();
    assert.match(
      html,
      /<a class="choice choice-link" href="[^"]*\?type=file" aria-current="true">/,
    );
    const form = formFields(html, "repository-form");
    assert.equal(form.path, "patients.ndjson");
    // Files have nothing to connect to: no Test connection button.
    assert.doesNotMatch(html, /Test connection/);

    const res = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: { ...form, path: "synthea/Patient.ndjson", action: "next" },
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), stepPath(draft, "analytics"));
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    assert.deepEqual(saved?.spec.repository, { type: "file", path: "synthea/Patient.ndjson" });
    assert.equal(saved?.reached, "analytics");
  } finally {
    await t.close();
  }
});

Deno.test("repository step: a file outside the tenant's files is refused beside the field", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      reached: "repository",
      spec: FHIR,
    });
    const res = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: { choice: "file", path: "../other-clinic/x.ndjson", overwrite: "true", action: "next" },
    });
    assert.equal(res.status, 400);
    assert.match(
      await res.text(),
      /<p class="error" id="repo-path-error">The file must stay inside your files/,
    );
    assert.equal((await getDraft(t.kv, owner.tenant, draft.id))?.reached, "repository");
  } finally {
    await t.close();
  }
});

Deno.test("repository step: upsert without a key is refused with the sentence beside the key", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      reached: "repository",
      spec: FHIR,
    });
    const page = await (await t.call("GET", `${stepPath(draft, "repository")}?type=postgres`, {
      as: owner,
    })).text();
    const form = formFields(page, "repository-form");
    assert.equal(form.choice, "postgres");
    assert.equal(form.table, "patients");
    const res = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: {
        ...form,
        "cfg.host": "db.clinic.example",
        "cfg.database": "emr",
        "cfg.user": "etl",
        "cfg.password": "s3cret-password",
        mode: "upsert",
        keyColumns: "",
        action: "next",
      },
    });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(
      html,
      /<p class="error" id="repo-keyColumns-error">Upsert needs the key column\(s\) that identify a row \(for FHIR resources: id\)/,
    );
    assert.match(html, /aria-invalid="true"[^>]*|id="repo-keyColumns"/);
    // What was typed stays (the password sealed, never shown), and the step is not passed.
    assert.match(html, /value="db\.clinic\.example"/);
    assert.doesNotMatch(html, /s3cret-password/);
    assert.match(html, /Saved — leave empty to keep it/);
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    assert.equal(saved?.reached, "repository");
    assert.notEqual(saved?.spec.repository?.password, "s3cret-password");

    // With a key, the same settings pass (the saved password is kept).
    const ok = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: { ...formFields(html, "repository-form"), keyColumns: "id", action: "next" },
    });
    assert.equal(ok.status, 303);
    const repo = (await getDraft(t.kv, owner.tenant, draft.id))?.spec.repository;
    assert.equal(repo?.mode, "upsert");
    assert.deepEqual(repo?.key, ["id"]);
    const opened = await t.deps.secrets!.open(owner.tenant, { repository: repo }) as {
      repository: Record<string, unknown>;
    };
    assert.equal(opened.repository.password, "s3cret-password");
  } finally {
    await t.close();
  }
});

Deno.test("repository step: Test connection answers with a sentence beside the button", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      reached: "repository",
      spec: FHIR,
    });
    const form = formFields(
      await (await t.call("GET", `${stepPath(draft, "repository")}?type=postgres`, { as: owner }))
        .text(),
      "repository-form",
    );
    const typed = {
      ...form,
      "cfg.host": "127.0.0.1",
      "cfg.database": "test",
      "cfg.user": "postgres",
      action: "test",
    };
    // A hosted portal refuses the loopback address, and says so.
    let res = await t.call("POST", stepPath(draft, "repository"), { as: owner, form: typed });
    assert.equal(res.status, 200);
    let html = await res.text();
    assert.match(
      html,
      /<p class="test-answer failed" role="status"><strong>Not connected\.<\/strong> [^<]*127\.0\.0\.1/,
    );
    assert.doesNotMatch(html, /at [^ ]+\.ts:\d+/);

    // A single-clinic install reaches its own database.
    t.deps.allowPrivateNetwork = true;
    res = await t.call("POST", stepPath(draft, "repository"), { as: owner, form: typed });
    html = await res.text();
    assert.match(
      html,
      /<p class="test-answer ok" role="status"><strong>Connected\.<\/strong> [^<]*PostgreSQL/,
    );
    // Testing keeps what was typed, without passing the step.
    const saved = await getDraft(t.kv, owner.tenant, draft.id);
    assert.equal(saved?.spec.repository?.host, "127.0.0.1");
    assert.equal(saved?.reached, "repository");
  } finally {
    await t.close();
  }
});

Deno.test("repository step: a saved repository connection can be chosen and tested", async () => {
  const { t, owner } = await stepsApp();
  try {
    t.deps.allowPrivateNetwork = true;
    const made = await t.call("POST", "/api/v1/connections", {
      as: owner,
      body: {
        name: "Clinic warehouse",
        kind: "repository",
        type: "postgres",
        config: { host: "127.0.0.1", database: "test", user: "postgres" },
      },
    });
    assert.equal(made.status, 201, await made.clone().text());
    const { id } = await made.json();
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      reached: "repository",
      spec: FHIR,
    });
    const page = await (await t.call("GET", stepPath(draft, "repository"), { as: owner })).text();
    assert.match(page, /Or a saved connection/);
    assert.match(page, new RegExp(`href="[^"]*\\?type=connection:${id}"`));

    const chosen =
      await (await t.call("GET", `${stepPath(draft, "repository")}?type=connection:${id}`, {
        as: owner,
      })).text();
    const form = formFields(chosen, "repository-form");
    const test = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: { ...form, table: "wizard_patients", action: "test" },
    });
    assert.match(await test.text(), /<p class="test-answer ok" role="status">/);
    const next = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: { ...form, table: "wizard_patients", mode: "replace", action: "next" },
    });
    assert.equal(next.status, 303);
    assert.deepEqual((await getDraft(t.kv, owner.tenant, draft.id))?.spec.repository, {
      type: "postgres",
      connection: id,
      table: "wizard_patients",
      mode: "replace",
    });
  } finally {
    await t.close();
  }
});

Deno.test("repository step: S3 settings are saved with the keys sealed, and never shown again", async () => {
  const { t, owner } = await stepsApp();
  try {
    const draft = await patientsDraft(t.kv, t.deps.secrets, owner, {
      reached: "repository",
      spec: FHIR,
    });
    const page =
      await (await t.call("GET", `${stepPath(draft, "repository")}?type=s3`, { as: owner }))
        .text();
    assert.match(page, /<legend>The bucket and how to sign in<\/legend>/);
    const form = formFields(page, "repository-form");
    assert.equal(form["cfg.key"], "{tenant}/{pipeline}/{run}/{date}.{ext}");
    const res = await t.call("POST", stepPath(draft, "repository"), {
      as: owner,
      form: {
        ...form,
        "cfg.bucket": "clinic-exports",
        "cfg.region": "eu-west-1",
        "cfg.accessKeyId": "AKIAEXAMPLEKEY1",
        "cfg.secretAccessKey": "very-secret-access-key",
        action: "next",
      },
    });
    assert.equal(res.status, 303);
    const repo = (await getDraft(t.kv, owner.tenant, draft.id))?.spec.repository!;
    assert.equal(repo.bucket, "clinic-exports");
    assert.ok(isSealed(repo.secretAccessKey) && isSealed(repo.accessKeyId));
    const again = await (await t.call("GET", stepPath(draft, "repository"), { as: owner })).text();
    assert.doesNotMatch(again, /very-secret-access-key|AKIAEXAMPLEKEY1/);
    assert.match(again, /value="clinic-exports"/);
  } finally {
    await t.close();
  }
});
