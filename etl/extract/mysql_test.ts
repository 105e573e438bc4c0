import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ConfigError, RetriableError } from "../errors.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import type { Batch, ExtractOptions } from "../types.ts";
import { createTestDatabase, type TestDatabase } from "../db/_mysql_test_db.ts";
import { mysqlExtractor, MySqlSourceConfig } from "./mysql.ts";

const ctx = () => testContext({ allowPrivateNetwork: true });

function source(db: TestDatabase, fields: Record<string, unknown>) {
  return MySqlSourceConfig.parse({ ...db.config, ...fields });
}

async function readAll(
  db: TestDatabase,
  fields: Record<string, unknown>,
  options: Partial<ExtractOptions> = {},
  stopAfter = Infinity,
): Promise<Batch[]> {
  const batches: Batch[] = [];
  const run = mysqlExtractor.run(ctx(), source(db, fields), { batchSize: 1000, ...options });
  for await (const b of run) {
    batches.push(b);
    if (batches.length >= stopAfter) break;
  }
  return batches;
}

const rowsOf = (batches: Batch[]) => batches.flatMap((b) => b.rows);

function drain(db: TestDatabase, fields: Record<string, unknown>): Promise<Error> {
  return failure(readAll(db, fields));
}

Deno.test("mysqlExtractor keeps the registry contract", () => {
  assertEntryContract(mysqlExtractor);
  assert.deepEqual(mysqlExtractor.secrets, ["password"]);
});

Deno.test("mysqlExtractor config: exactly one of table/query; columns and filter need a table", () => {
  const base = { host: "db", database: "d", user: "u" };
  const problems = (extra: Record<string, unknown>) =>
    MySqlSourceConfig.safeParse({ ...base, ...extra }).error?.issues.map((i) =>
      `${i.path.join(".")}: ${i.message}`
    ) ?? [];
  assert.match(problems({}).join(), /^table: give either a table or a query/);
  assert.match(problems({ table: "t", query: "SELECT 1" }).join(), /exactly one/);
  assert.match(problems({ query: "SELECT 1", columns: ["a"] }).join(), /^columns: /);
  assert.match(problems({ query: "SELECT 1", filter: "a = 1" }).join(), /^filter: /);
  assert.deepEqual(problems({ table: "db1.t", columns: ["a"], filter: "a = 'x;y'" }), []);
});

Deno.test("mysqlExtractor on MariaDB", async (t) => {
  const db = await createTestDatabase();
  try {
    await db.admin.query(
      `CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(50), city VARCHAR(50))
         DEFAULT CHARSET=utf8mb4;
       INSERT INTO people SELECT seq * 3, CONCAT('person ', seq),
         IF(seq % 2 = 0, 'Köln', 'Montréal') FROM seq_1_to_50;`,
    );

    await t.step("streams 25,000 rows in batches of batchSize, each row once", async () => {
      await db.admin.query(
        `CREATE TABLE big (id INT PRIMARY KEY, label VARCHAR(40), amount DECIMAL(12,2));
         INSERT INTO big SELECT seq, CONCAT('row ', seq), seq * 1.5 FROM seq_1_to_25000;`,
      );
      const batches = await readAll(db, { table: "big", keyColumn: "id" });
      assert.equal(batches.length, 25);
      assert.ok(batches.every((b) => b.rows.length === 1000 && b.refs.length === 1000));
      const ids = new Set(rowsOf(batches).map((r) => r.id));
      assert.equal(ids.size, 25_000);
      assert.deepEqual(batches.at(-1)!.cursor, { lastKey: "25000" });
      assert.deepEqual(batches[0].refs[0], { source: "big", key: "1" });
      assert.deepEqual(batches[0].rows[1], { id: 2, label: "row 2", amount: "3.00" });
    });

    await t.step("reads a column list with a filter", async () => {
      const rows = rowsOf(
        await readAll(db, { table: "people", columns: ["name"], filter: "city = 'Köln'" }),
      );
      assert.equal(rows.length, 25);
      assert.deepEqual(Object.keys(rows[0]), ["name"]);
      assert.ok(rows.every((r) => Number(String(r.name).split(" ")[1]) % 2 === 0));
      // The key column is read too when the list leaves it out: the cursor needs it.
      const keyed = rowsOf(
        await readAll(db, { table: "people", columns: ["name"], keyColumn: "id" }),
      );
      assert.deepEqual(Object.keys(keyed[0]), ["name", "id"]);
    });

    await t.step("runs a read-only query as written, repeated names made unique", async () => {
      const query = `WITH few AS (SELECT id, name FROM people WHERE id <= 9)
        SELECT f.id, f.name, p.id FROM few f JOIN people p ON p.id = f.id ORDER BY f.id DESC;`;
      const batches = await readAll(db, { query });
      assert.deepEqual(rowsOf(batches), [
        { id: 9, name: "person 3", id_2: 9 },
        { id: 6, name: "person 2", id_2: 6 },
        { id: 3, name: "person 1", id_2: 3 },
      ]);
      assert.deepEqual(batches[0].refs[0], { source: "query", index: 0 });
      const keyed = await readAll(db, { query: "SELECT id, city FROM people", keyColumn: "id" }, {
        batchSize: 20,
      });
      assert.deepEqual(rowsOf(keyed).slice(0, 2), [{ id: 3, city: "Montréal" }, {
        id: 6,
        city: "Köln",
      }]);
      assert.deepEqual(keyed[0].refs[0], { source: "query", key: "3" });
    });

    await t.step("refuses queries that change data, and leaves the data alone", async () => {
      const refused = {
        "UPDATE people SET name = 'x'": /starts with "UPDATE"/,
        "DELETE FROM people": /starts with "DELETE"/,
        "SELECT * FROM people; DELETE FROM people": /single statement/,
        "WITH x AS (SELECT 1) DELETE FROM people": /contains DELETE/,
        "SELECT * INTO OUTFILE '/tmp/pyx' FROM people": /contains INTO/,
        "SELECT 1 /*!50000 , (DELETE FROM people) */": /contains \/\*!/,
      };
      for (const [query, message] of Object.entries(refused)) {
        const parsed = MySqlSourceConfig.safeParse({ ...db.config, query });
        assert.equal(parsed.success, false, query);
        assert.match(parsed.error!.issues[0].message, message, query);
        // run() checks again, for a config that skipped parsing.
        const run = mysqlExtractor.run(ctx(), { ...source(db, { table: "people" }), query }, {
          batchSize: 10,
        });
        const err = await failure(Array.fromAsync(run));
        assert.ok(err instanceof ConfigError, query);
      }
      // Words inside strings and names are data, not statements.
      const ok = rowsOf(
        await readAll(db, { query: "SELECT 'delete; update' AS `into` FROM people LIMIT 1" }),
      );
      assert.deepEqual(ok, [{ into: "delete; update" }]);
      const [{ n }] = await db.rows<{ n: number }>("SELECT COUNT(*) AS n FROM people");
      assert.equal(Number(n), 50);
    });

    await t.step("resumes after a key cursor: every row exactly once", async () => {
      const first = await readAll(db, { table: "people", keyColumn: "id" }, { batchSize: 7 }, 3);
      assert.deepEqual(first.at(-1)!.cursor, { lastKey: "63" });
      const rest = await readAll(db, { table: "people", keyColumn: "id" }, {
        batchSize: 7,
        from: first.at(-1)!.cursor,
      });
      const ids = [...rowsOf(first), ...rowsOf(rest)].map((r) => r.id);
      assert.deepEqual(ids, Array.from({ length: 50 }, (_, i) => (i + 1) * 3));
    });

    await t.step("resumes after an offset when there is no key (same data)", async () => {
      const first = await readAll(db, { table: "people" }, { batchSize: 8 }, 2);
      assert.deepEqual(first.at(-1)!.cursor, { offset: 16 });
      const rest = await readAll(db, { table: "people" }, {
        batchSize: 8,
        from: first.at(-1)!.cursor,
      });
      assert.deepEqual(rest[0].refs[0], { source: "people", index: 16 });
      const ids = [...rowsOf(first), ...rowsOf(rest)].map((r) => r.id);
      assert.equal(ids.length, 50);
      assert.equal(new Set(ids).size, 50);
    });

    await t.step("reads incrementally after the high-water mark, resumable within it", async () => {
      await db.admin.query(
        `CREATE TABLE visits (id INT PRIMARY KEY, updated_at DATETIME NULL, note VARCHAR(20));
         INSERT INTO visits VALUES (1, '2024-01-02 08:00:00', 'a'), (2, '2024-01-01 08:00:00', 'b'),
           (3, '2024-01-02 08:00:00', 'c'), (4, NULL, 'd'), (5, '2024-01-03 09:30:00', 'e');`,
      );
      const fields = { table: "visits", keyColumn: "id", cursorColumn: "updated_at" };
      const all = await readAll(db, fields, { batchSize: 2 });
      assert.deepEqual(rowsOf(all).map((r) => r.id), [4, 2, 1, 3, 5]);
      assert.equal(all.at(-1)!.highWater, "2024-01-03 09:30:00");
      // Resume inside the run: ties on updated_at are told apart by the key.
      const head = await readAll(db, fields, { batchSize: 3 }, 1);
      assert.deepEqual(head[0].cursor, { lastKey: "1", lastCursor: "2024-01-02 08:00:00" });
      const tail = await readAll(db, fields, { batchSize: 3, from: head[0].cursor });
      assert.deepEqual(rowsOf(tail).map((r) => r.id), [3, 5]);

      await db.admin.query(
        `INSERT INTO visits VALUES (6, '2024-01-04 00:00:00', 'f');
         UPDATE visits SET updated_at = '2024-01-05 12:00:00', note = 'b2' WHERE id = 2;`,
      );
      const since = all.at(-1)!.highWater;
      const next = await readAll(db, fields, { batchSize: 2, since });
      assert.deepEqual(rowsOf(next).map((r) => [r.id, r.note]), [[6, "f"], [2, "b2"]]);
      assert.equal(next.at(-1)!.highWater, "2024-01-05 12:00:00");
      assert.deepEqual(await readAll(db, fields, { since: next.at(-1)!.highWater }), []);
    });

    await t.step("keeps every type exact: DECIMAL, BIGINT, dates, utf8mb4, JSON", async () => {
      await db.admin.query(
        `CREATE TABLE typed (id INT PRIMARY KEY, amount DECIMAL(30,9), big BIGINT, born DATE,
           seen DATETIME(6), stamp TIMESTAMP(3) NULL, name VARCHAR(100), note TEXT, flag TINYINT(1),
           small TINYINT, doc JSON, nothing VARCHAR(10), ratio DOUBLE, at_time TIME, yr YEAR)
           DEFAULT CHARSET=utf8mb4;
         INSERT INTO typed VALUES (1, 12345678901234567890.123456789, 9007199254740993,
           '2024-03-01', '2024-03-01 10:20:30.123456', '2024-03-01 23:59:59.500',
           'Zoë Ñúñez 💉', 'line1\\nline2 "q" \\'s\\' \\\\', 1, 7,
           '{"a": [1, 2.5, "x"], "b": null}', NULL, 0.25, '10:20:30', 2024),
           (2, -0.000000001, -9223372036854775808, '1900-02-28', '9999-12-31 23:59:59.999999',
           NULL, '', NULL, 0, NULL, '[]', 'x', NULL, NULL, NULL);`,
      );
      const expected = [{
        id: 1,
        amount: "12345678901234567890.123456789",
        big: "9007199254740993",
        born: "2024-03-01",
        seen: "2024-03-01 10:20:30.123456",
        stamp: "2024-03-01 23:59:59.500",
        name: "Zoë Ñúñez 💉",
        note: "line1\nline2 \"q\" 's' \\",
        flag: true,
        small: 7,
        doc: { a: [1, 2.5, "x"], b: null },
        nothing: null,
        ratio: 0.25,
        at_time: "10:20:30",
        yr: 2024,
      }, {
        id: 2,
        amount: "-0.000000001",
        big: "-9223372036854775808",
        born: "1900-02-28",
        seen: "9999-12-31 23:59:59.999999",
        stamp: null,
        name: "",
        note: null,
        flag: false,
        small: null,
        doc: [],
        nothing: "x",
        ratio: null,
        at_time: null,
        yr: null,
      }];
      assert.deepEqual(rowsOf(await readAll(db, { table: "typed", keyColumn: "id" })), expected);

      // Another process time zone changes nothing (dates are never turned into Date objects).
      const url = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
      const code = `import { mysqlExtractor, MySqlSourceConfig } from ${url("./mysql.ts")};
        import { testContext } from ${url("../testing.ts")};
        const c = MySqlSourceConfig.parse(${JSON.stringify({ ...db.config, table: "typed" })});
        const ctx = testContext({ allowPrivateNetwork: true });
        for await (const b of mysqlExtractor.run(ctx, c, { batchSize: 10 })) {
          console.log(JSON.stringify(b.rows.map((r) => [r.born, r.seen, r.stamp])));
        }`;
      for (const tz of ["Pacific/Kiritimati", "America/Los_Angeles"]) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["eval", code],
          cwd: fileURLToPath(new URL("../..", import.meta.url)),
          env: { TZ: tz },
        }).output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [
          ["2024-03-01", "2024-03-01 10:20:30.123456", "2024-03-01 23:59:59.500"],
          ["1900-02-28", "9999-12-31 23:59:59.999999", null],
        ]);
      }
    });

    await t.step("refuses binary columns by name unless base64 is asked for", async () => {
      await db.admin.query(
        `CREATE TABLE files (id INT PRIMARY KEY, photo BLOB, tag VARBINARY(4));
         INSERT INTO files VALUES (1, x'00ff10', x'cafe');`,
      );
      const err = await drain(db, { table: "files" });
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /The column "photo" holds binary data/);
      assert.match(err.message, /binary to "base64"/);
      assert.deepEqual(rowsOf(await readAll(db, { table: "files", binary: "base64" })), [
        { id: 1, photo: "AP8Q", tag: "yv4=" },
      ]);
      assert.deepEqual(rowsOf(await readAll(db, { table: "files", columns: ["id"] })), [{ id: 1 }]);
    });

    await t.step("test(), columns() and catalog() describe the database", async () => {
      const config = source(db, { table: "typed" });
      const { message } = await mysqlExtractor.test!(ctx(), config);
      assert.match(
        message,
        new RegExp(`^Connected to MariaDB \\d+\\.\\d+\\.\\d+ as root, database ${db.name}$`),
      );
      assert.deepEqual(
        await mysqlExtractor.columns!(
          ctx(),
          source(db, { query: "SELECT id, name AS who FROM people" }),
        ),
        ["id", "who"],
      );
      assert.deepEqual(await mysqlExtractor.fingerprint(ctx(), config), []);
      const catalog = await mysqlExtractor.catalog!(ctx(), config);
      assert.deepEqual(catalog.map((c) => c.name), ["big", "files", "people", "typed", "visits"]);
      const typed = catalog.find((c) => c.name === "typed")!;
      assert.deepEqual(Object.fromEntries(typed.columns.map((c) => [c.name, c.type])), {
        id: "integer",
        amount: "decimal",
        big: "integer",
        born: "date",
        seen: "datetime",
        stamp: "datetime",
        name: "string",
        note: "string",
        flag: "boolean",
        small: "integer",
        doc: "json",
        nothing: "string",
        ratio: "decimal",
        at_time: "string",
        yr: "integer",
      });
      assert.ok((catalog.find((c) => c.name === "people")!.rows ?? 0) > 0);
    });

    await t.step("says what is wrong: missing table, unknown column, bad filter", async () => {
      let err = await drain(db, { table: "nope" });
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        `The table "nope" does not exist in the database "${db.name}": check its name or create it`,
      );
      err = await drain(db, { table: "people", columns: ["id", "nam"] });
      assert.equal(
        err.message,
        'The column "nam" does not exist in the table "people": check its name',
      );
      err = await drain(db, { table: "people", filter: "city = = 'Köln'" });
      assert.ok(err instanceof ConfigError);
      assert.match(
        err.message,
        /^The filter "city = = 'Köln'" is not valid SQL \(the server stopped near "= 'Köln'"\): write a condition/,
      );
      err = await drain(db, { table: "people", keyColumn: "ident" });
      assert.match(err.message, /The key column "ident" is not among the columns read from people/);
    });

    await t.step("says what is wrong: password, database, port, private host, TLS", async () => {
      const user = `pyx_u_${db.name.slice(4, 12)}`;
      const password = "s3cret-Pw!";
      await db.admin.query(
        `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';
         CREATE USER '${user}_tls'@'%' IDENTIFIED BY '${password}' REQUIRE SSL;
         GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%', '${user}_tls'@'%';`,
      );
      try {
        const check = (fields: Record<string, unknown>, allow = true) =>
          failure(
            mysqlExtractor.test!(
              testContext({ allowPrivateNetwork: allow }),
              source(db, { table: "people", ...fields }),
            ),
          );
        const ok = await mysqlExtractor.test!(
          ctx(),
          source(db, { table: "people", user, password }),
        );
        assert.match(ok.message, new RegExp(`as ${user}, database`));

        let err = await check({ user, password: "wrong-Pw-123" });
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          `The server at 127.0.0.1:3306 refused user "${user}": check the user name and password, that this user may connect from here, and whether the account requires TLS (then set tls to require)`,
        );
        assert.ok(!err.message.includes("wrong-Pw-123"));

        // An account created with REQUIRE SSL, on a server without TLS: refused the same way,
        // and the message points at TLS.
        err = await check({ user: `${user}_tls`, password });
        assert.match(err.message, /refused user .*requires TLS/);
        assert.ok(!err.message.includes(password));

        err = await check({ tls: "require" });
        assert.ok(err instanceof ConfigError);
        assert.match(
          err.message,
          /^The server at 127.0.0.1:3306 does not offer TLS but tls is "require"/,
        );

        err = await check({ database: "pyx_no_such_db" });
        assert.equal(
          err.message,
          'The database "pyx_no_such_db" does not exist on 127.0.0.1:3306: check its name (names are case-sensitive on Linux servers)',
        );

        err = await check({ port: 1 });
        assert.ok(err instanceof RetriableError);
        assert.match(
          err.message,
          /^Nothing accepts connections at 127.0.0.1:1: check the host and port/,
        );

        err = await check({}, false);
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /resolves to 127.0.0.1, a private or local network address/);
      } finally {
        await db.admin.query(`DROP USER IF EXISTS '${user}'@'%', '${user}_tls'@'%'`);
      }
    });

    await t.step("stops early or on abort without leaving the connection open", async () => {
      const before = await db.rows<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?",
        [db.name],
      );
      assert.equal((await readAll(db, { table: "big" }, { batchSize: 100 }, 1)).length, 1);
      const controller = new AbortController();
      const aborted = testContext({ allowPrivateNetwork: true, signal: controller.signal });
      let seen = 0;
      for await (
        const b of mysqlExtractor.run(aborted, source(db, { table: "big" }), { batchSize: 100 })
      ) {
        seen += b.rows.length;
        controller.abort();
      }
      assert.equal(seen, 100);
      // The server notices the closed sockets at once; give it a moment to list them gone.
      for (let i = 0; i < 20; i++) {
        const [{ n }] = await db.rows<{ n: number }>(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?",
          [db.name],
        );
        if (Number(n) <= Number(before[0].n)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [{ n }] = await db.rows<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?",
        [db.name],
      );
      assert.equal(Number(n), Number(before[0].n));
    });
  } finally {
    await db.drop();
  }
});
