import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { createTestDatabase, type TestDatabase } from "../db/_pg_testing.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import { fhirPatientTransformer } from "../transform/fhir_patient.ts";
import type { LoadResult, Row, Schema, Sink } from "../types.ts";
import { PostgresLoadConfig, postgresLoader } from "./postgres.ts";

const VISITS: Schema = {
  columns: [
    { name: "id", type: "integer" },
    { name: "patient", type: "string" },
    { name: "amount", type: "decimal" },
  ],
};

function runContext() {
  const ctx = testContext({ allowPrivateNetwork: true });
  ctx.ids = { tenant: "t1", pipeline: "visits", run: crypto.randomUUID() };
  return ctx;
}

async function openSink(
  db: TestDatabase,
  fields: Record<string, unknown>,
  schema: Schema = VISITS,
): Promise<Sink> {
  const config = PostgresLoadConfig.parse({ ...db.config, ...fields });
  return await postgresLoader.open(runContext(), config, {
    formatConfig: undefined,
    schema,
    name: "visits",
  });
}

async function write(sink: Sink, rows: Row[]): Promise<void> {
  await sink.write({
    rows,
    refs: rows.map((_, i) => ({ source: "visits.csv", line: i + 2 })),
    cursor: {},
  });
}

async function load(
  db: TestDatabase,
  fields: Record<string, unknown>,
  batches: Row[][],
  schema: Schema = VISITS,
): Promise<LoadResult> {
  const sink = await openSink(db, fields, schema);
  try {
    for (const rows of batches) await write(sink, rows);
    return await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

function visits(from: number, to: number, amount = "1.50"): Row[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    id: from + i,
    patient: `P-${from + i}`,
    amount,
  }));
}

async function tableRows(db: TestDatabase, table: string): Promise<Row[]> {
  const rows = await db.sql.unsafe(
    `SELECT id::int AS id, patient, amount::text AS amount FROM ${table} ORDER BY id`,
  );
  return rows.map((r) => ({ ...r }));
}

async function stagingLeft(db: TestDatabase): Promise<number> {
  const [{ n }] = await db.sql`
    SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relname LIKE '\\_pyxgen\\_stage\\_%'`;
  return n;
}

Deno.test("postgresLoader keeps the registry entry contract and refuses upsert without key", async () => {
  assertEntryContract(postgresLoader);
  assert.equal(postgresLoader.type, "postgres");
  assert.equal(postgresLoader.needsFormat, false);
  const base = { host: "db.example.org", database: "clinic", user: "etl", table: "visits" };
  const parsed = PostgresLoadConfig.safeParse({ ...base, mode: "upsert" });
  assert.deepEqual(parsed.error?.issues.map((i) => i.path.join(".")), ["key"]);
  assert.equal(PostgresLoadConfig.parse(base).mode, "append");
  // Even a config that skipped validation is refused before anything is touched.
  const unchecked = { ...PostgresLoadConfig.parse(base), mode: "upsert" as const };
  const err = await failure(
    postgresLoader.open(testContext(), unchecked, {
      formatConfig: undefined,
      schema: VISITS,
      name: "v",
    }),
  );
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /needs a key: the run was refused/);
});

Deno.test("postgresLoader writes a PostgreSQL table", async (t) => {
  const db = await createTestDatabase();
  try {
    await t.step("test() says where it connected", async () => {
      const config = PostgresLoadConfig.parse({ ...db.config, table: "visits" });
      const { message } = await postgresLoader.test!(
        testContext({ allowPrivateNetwork: true }),
        config,
      );
      assert.match(message, new RegExp(`as postgres, database ${db.name}$`));
    });

    await t.step("append creates the table, and a second run adds the rows again", async () => {
      const first = await load(db, { table: "visits" }, [visits(1, 3), visits(4, 5)]);
      assert.deepEqual(first, { records: 5, bytes: 0, location: "visits" });
      await load(db, { table: "visits" }, [visits(1, 5)]);
      const rows = await tableRows(db, "visits");
      assert.equal(rows.length, 10);
      assert.deepEqual(rows[0], { id: 1, patient: "P-1", amount: "1.50" });
      const types = await db.sql`
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_name = 'visits' ORDER BY ordinal_position`;
      assert.deepEqual(types.map((c) => c.data_type), ["bigint", "text", "numeric"]);
      assert.equal(await stagingLeft(db), 0);
    });

    await t.step("replace leaves exactly this run's rows", async () => {
      await load(db, { table: "visits", mode: "replace" }, [visits(7, 9, "2.00")]);
      assert.deepEqual(await tableRows(db, "visits"), visits(7, 9, "2.00"));
    });

    await t.step("upsert twice leaves the same rows with the new values", async () => {
      await load(db, { table: "public.roster", mode: "upsert", key: ["id"] }, [visits(1, 4)]);
      const again = await load(db, { table: "public.roster", mode: "upsert", key: ["id"] }, [
        visits(3, 6, "9.99"),
        [{ id: 6, patient: "P-6 (last)", amount: "7.00" }],
      ]);
      assert.deepEqual(again, { records: 5, bytes: 0, location: "public.roster" });
      const rows = await tableRows(db, "roster");
      assert.deepEqual(rows.map((r) => [r.id, r.amount]), [
        [1, "1.50"],
        [2, "1.50"],
        [3, "9.99"],
        [4, "9.99"],
        [5, "9.99"],
        [6, "7.00"],
      ]);
      assert.equal(rows[5].patient, "P-6 (last)");
    });

    await t.step(
      "upsert into a table without a unique key is refused, table untouched",
      async () => {
        await db.sql.unsafe(`CREATE TABLE loose (id bigint, patient text, amount numeric);
        INSERT INTO loose VALUES (1, 'kept', 1)`);
        const err = await failure(
          load(db, { table: "loose", mode: "upsert", key: ["id"] }, [visits(1, 2)]),
        );
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          'The table "loose" has no primary key or unique index on (id), which upsert needs: add one, or use mode "append" or "replace"',
        );
        assert.deepEqual(await tableRows(db, "loose"), [{ id: 1, patient: "kept", amount: "1" }]);
        assert.equal(await stagingLeft(db), 0);
      },
    );

    await t.step("an existing table without the data's columns is named with them", async () => {
      await db.sql.unsafe(`CREATE TABLE narrow (id bigint)`);
      const err = await failure(load(db, { table: "narrow" }, [visits(1, 2)]));
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^The table "narrow" has no column "patient", "amount": add/);
    });

    await t.step("an aborted run leaves the table as it was and no staging table", async () => {
      const before = await tableRows(db, "visits");
      const sink = await openSink(db, { table: "visits", mode: "replace" });
      await write(sink, visits(100, 200));
      await write(sink, visits(200, 300));
      // A straight run writes the target inside its transaction: others see the old rows.
      assert.deepEqual(await tableRows(db, "visits"), before, "old rows while the run writes");
      assert.equal(await stagingLeft(db), 0);
      await sink.abort();
      assert.deepEqual(await tableRows(db, "visits"), before);
      assert.equal(await stagingLeft(db), 0);
    });

    await t.step("a run in steps stages its rows and an abort drops them", async () => {
      const before = await tableRows(db, "visits");
      const config = PostgresLoadConfig.parse({ ...db.config, table: "visits", mode: "append" });
      const target = { formatConfig: undefined, schema: VISITS, name: "visits", steps: true };
      const sink = await postgresLoader.open(runContext(), config, target);
      await write(sink, visits(100, 200));
      await sink.checkpoint!();
      assert.equal(await stagingLeft(db), 1);
      await sink.abort();
      assert.deepEqual(await tableRows(db, "visits"), before);
      assert.equal(await stagingLeft(db), 0);
    });

    await t.step(
      "a value the table cannot take is refused with its row, table as it was",
      async () => {
        await db.sql.unsafe(
          `CREATE TABLE typed (id integer PRIMARY KEY, patient text, amount integer);
        INSERT INTO typed VALUES (1, 'kept', 5)`,
        );
        const sink = await openSink(db, { table: "typed", mode: "replace" });
        const rows = [{ id: 2, patient: "new", amount: "12" }, {
          id: 3,
          patient: "bad",
          amount: "twelve",
        }];
        // The server stores a batch while the run reads the next: the refusal comes at the
        // next write or at the commit.
        const err = await failure(write(sink, rows).then(() => sink.commit()));
        await sink.abort();
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          'A value does not fit table "typed": invalid input syntax for type integer: "twelve", in column "amount" of the row of visits.csv at line 3',
        );
        assert.deepEqual(await tableRows(db, "typed"), [{ id: 1, patient: "kept", amount: "5" }]);
        assert.equal(await stagingLeft(db), 0);
      },
    );

    await t.step("a commit that fails rolls back: table as it was", async () => {
      const sink = await openSink(db, { table: "typed", mode: "append" });
      await write(sink, [{ id: 4, patient: "new", amount: "4" }, { id: 1, patient: "again" }]);
      const err = await failure(sink.commit());
      await sink.abort(); // what the pipeline does after a failed commit: must be harmless
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        'A row has the same key as another row of table "typed" (Key (id)=(1) already exists): use mode "upsert" or remove the duplicates',
      );
      assert.deepEqual(await tableRows(db, "typed"), [{ id: 1, patient: "kept", amount: "5" }]);
      assert.equal(await stagingLeft(db), 0);
    });

    await t.step("a new table takes the last of a key staged twice, or refuses it", async () => {
      const twice = [visits(1, 3), [{ id: 2, patient: "P-2 (last)", amount: "3.00" }]];
      await load(db, { table: "fresh_upsert", mode: "upsert", key: ["id"] }, twice);
      const rows = await tableRows(db, "fresh_upsert");
      assert.deepEqual(rows.map((r) => [r.id, r.patient]), [[1, "P-1"], [2, "P-2 (last)"], [
        3,
        "P-3",
      ]]);
      const [{ n }] = await db.sql`
        SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'fresh_upsert'::regclass
        AND indisprimary`;
      assert.equal(n, 1);
      const err = await failure(load(db, { table: "fresh_append", key: ["id"] }, twice));
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        'A row has the same key as another row of table "fresh_append" (Key (id)=(2) is duplicated): use mode "upsert" or remove the duplicates',
      );
      const [{ exists }] = await db.sql`SELECT to_regclass('fresh_append') IS NOT NULL AS exists`;
      assert.equal(exists, false);
      assert.equal(await stagingLeft(db), 0);
    });

    await t.step("a NUL character is refused with the column and row", async () => {
      const sink = await openSink(db, { table: "visits" });
      const err = await failure(write(sink, [{ id: 1, patient: "a\u0000b", amount: "1" }]));
      await sink.abort();
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        'The value of "patient" in the row of visits.csv at line 2 holds a NUL character, which PostgreSQL cannot store: remove it from the data',
      );
      assert.equal(await stagingLeft(db), 0);
    });
  } finally {
    await db.drop();
  }
});

Deno.test("postgresLoader keeps values and FHIR resources", async (t) => {
  const db = await createTestDatabase();
  try {
    await t.step("every column type and awkward text round-trip", async () => {
      const schema: Schema = {
        columns: [
          { name: "id", type: "integer" },
          { name: "Note", type: "string" },
          { name: "amount", type: "decimal" },
          { name: "active", type: "boolean" },
          { name: "born", type: "date" },
          { name: "seen", type: "datetime" },
          { name: "extra", type: "json" },
        ],
      };
      const rows = [
        {
          id: 1,
          Note: "tab\there\nline\\back 🩺 Zoë",
          amount: "12345678901234567890.123456789",
          active: true,
          born: "2024-03-01",
          seen: "2024-03-01T00:30:00.123456Z",
          extra: { tags: ["a", 1], ok: null },
        },
        {
          id: 2,
          Note: "\\N",
          amount: null,
          active: false,
          born: null,
          seen: "2024-03-01T02:00:00+02:00",
          extra: "just text",
        },
        {
          id: 3,
          Note: null,
          amount: "0",
          active: null,
          born: "1999-12-31",
          seen: null,
          extra: null,
        },
      ];
      await load(db, { table: "everything", key: ["id"] }, [rows], schema);
      const back = await db.sql.unsafe(`
        SELECT id::int AS id, "Note" AS note, amount::text, active, born::text,
               to_char(seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS seen,
               extra, jsonb_typeof(extra) AS kind
        FROM everything ORDER BY id`);
      assert.deepEqual(back.map((r) => ({ ...r })), [
        {
          id: 1,
          note: "tab\there\nline\\back 🩺 Zoë",
          amount: "12345678901234567890.123456789",
          active: true,
          born: "2024-03-01",
          seen: "2024-03-01T00:30:00.123456",
          extra: { tags: ["a", 1], ok: null },
          kind: "object",
        },
        {
          id: 2,
          note: "\\N",
          amount: null,
          active: false,
          born: null,
          seen: "2024-03-01T00:00:00.000000",
          extra: "just text",
          kind: "string",
        },
        {
          id: 3,
          note: null,
          amount: "0",
          active: null,
          born: "1999-12-31",
          seen: null,
          extra: null,
          kind: null,
        },
      ]);
    });

    await t.step(
      "FHIR Patient rows: the resource is jsonb, upsert by id is repeatable",
      async () => {
        const ctx = testContext();
        const input = [
          { mrn: "A-1", first_name: "Ada", last_name: "Lovelace", dob: "1815-12-10", sex: "F" },
          { mrn: "A-2", first_name: "Alan", last_name: "Turing", dob: "1912-06-23", sex: "M" },
        ];
        const inputSchema: Schema = {
          columns: Object.keys(input[0]).map((name) => ({ name, type: "string" as const })),
        };
        const prepared = fhirPatientTransformer.prepare(
          fhirPatientTransformer.config.parse({}),
          inputSchema,
          input,
        );
        const out = fhirPatientTransformer.run(ctx, prepared.config, {
          rows: input,
          refs: input.map((_, i) => ({ source: "clinic.csv", line: i + 2 })),
          cursor: {},
        });
        assert.equal(out.rows.length, 2);
        const fields = { table: "patient", mode: "upsert", key: ["id"] };
        await load(db, fields, [out.rows], prepared.schema);
        await load(db, fields, [out.rows], prepared.schema);
        const rows = await db.sql`
        SELECT id, birth_date::text AS birth_date, resource->>'gender' AS gender,
               resource->>'resourceType' AS type, jsonb_typeof(resource) AS kind
        FROM patient ORDER BY id`;
        assert.deepEqual(rows.map((r) => ({ ...r })), [
          {
            id: "A-1",
            birth_date: "1815-12-10",
            gender: "female",
            type: "Patient",
            kind: "object",
          },
          { id: "A-2", birth_date: "1912-06-23", gender: "male", type: "Patient", kind: "object" },
        ]);
      },
    );

    await t.step("100k rows load through COPY", async () => {
      const batches = Array.from({ length: 20 }, (_, b) => visits(b * 5000 + 1, (b + 1) * 5000));
      const result = await load(db, { table: "big" }, batches);
      assert.equal(result.records, 100_000);
      const [{ n }] = await db.sql`SELECT count(*)::int AS n FROM big`;
      assert.equal(n, 100_000);
    });
  } finally {
    await db.drop();
  }
});
