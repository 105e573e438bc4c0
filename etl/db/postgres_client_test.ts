import assert from "node:assert/strict";
import { ConfigError, FatalRunError, RetriableError } from "../errors.ts";
import { failure, testContext } from "../testing.ts";
import { DbConnection } from "./options.ts";
import { checkPostgres, openPostgres, pgError } from "./postgres_client.ts";
import { LOCAL_PG } from "./_pg_testing.ts";

const ctx = testContext({ allowPrivateNetwork: true });
const local = DbConnection.parse({ ...LOCAL_PG, database: "test", connectTimeoutSeconds: 3 });

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("checkPostgres says which server, user and database it reached", async () => {
  const { message } = await checkPostgres(ctx, local);
  assert.match(message, /^Connected to PostgreSQL 1\d\.\d+ as postgres, database test$/);
});

Deno.test("openPostgres names an unknown database or user", async () => {
  const db = await failure(checkPostgres(ctx, { ...local, database: "no_such_db_pyx" }));
  assert.ok(db instanceof ConfigError);
  assert.equal(
    db.message,
    'The database "no_such_db_pyx" does not exist on PostgreSQL at 127.0.0.1:5432: check the database name',
  );
  const role = await failure(checkPostgres(ctx, { ...local, user: "no_such_role_pyx" }));
  assert.ok(role instanceof ConfigError);
  assert.equal(
    role.message,
    'PostgreSQL at 127.0.0.1:5432 has no user "no_such_role_pyx": check the user name',
  );
});

Deno.test("openPostgres says what to check when nothing listens on the port", async () => {
  const port = freePort();
  const err = await failure(checkPostgres(ctx, { ...local, port }));
  assert.ok(err instanceof RetriableError);
  assert.equal(
    err.message,
    `Could not connect to PostgreSQL at 127.0.0.1:${port}: the connection was refused. Check the host and port, and that the server is running and accepts network connections`,
  );
});

Deno.test("openPostgres gives up on a server that is not PostgreSQL within the timeout", async () => {
  // Answers garbage and hangs up: postgres.js alone would reconnect forever.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const serving = (async () => {
    for await (const conn of listener) {
      await conn.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n")).catch(
        () => {},
      );
      conn.close();
    }
  })();
  try {
    const started = Date.now();
    const err = await failure(checkPostgres(ctx, { ...local, port, connectTimeoutSeconds: 1 }));
    assert.ok(err instanceof RetriableError);
    assert.equal(
      err.message,
      `No answer from PostgreSQL at 127.0.0.1:${port} within 1 seconds: check the host and port, that it is a PostgreSQL server, and that no firewall blocks the connection`,
    );
    assert.ok(Date.now() - started < 3000);
    await new Promise((r) => setTimeout(r, 200)); // let a last reconnect attempt finish
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});

Deno.test("openPostgres refuses a private host unless the deployment allows it", async () => {
  const err = await failure(checkPostgres(testContext({ allowPrivateNetwork: false }), local));
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /resolves to 127\.0\.0\.1, a private or local network address/);
});

Deno.test("openPostgres says when the server does not support TLS", async () => {
  const show = await openPostgres(ctx, local);
  const [{ ssl }] = await show.sql`SHOW ssl`;
  await show.close();
  if (ssl !== "off") return; // this check needs a server without SSL
  const err = await failure(checkPostgres(ctx, { ...local, tls: "require" }));
  assert.ok(err instanceof ConfigError);
  assert.equal(
    err.message,
    'PostgreSQL at 127.0.0.1:5432 does not accept encrypted connections (TLS): set tls to "off" or enable SSL on the server',
  );
});

Deno.test("pgError translates server codes and never shows the password", () => {
  const config = { ...local, password: "s3cret!" };
  const wrong = pgError({ code: "28P01", message: "password authentication failed" }, config);
  assert.ok(wrong instanceof ConfigError);
  assert.equal(
    wrong.message,
    'PostgreSQL at 127.0.0.1:5432 refused the password for user "postgres": check the user name and password',
  );
  const hba = pgError({
    code: "28000",
    message:
      'no pg_hba.conf entry for host "10.0.0.5", user "postgres", database "test", no encryption',
  }, config);
  assert.match(hba.message, /only accepts encrypted connections .*: set tls to "require"/);
  const denied = pgError(
    { code: "42501", message: "permission denied for table visits" },
    config,
    { table: "visits", action: "read" },
  );
  assert.equal(
    denied.message,
    'User "postgres" may not read table "visits": permission denied for table visits; ask the database administrator for the rights',
  );
  const leaked = pgError({ code: "XX000", message: "odd failure near s3cret!" }, config);
  assert.ok(leaked instanceof FatalRunError);
  assert.ok(!leaked.message.includes("s3cret!"));
  assert.ok(
    pgError({ code: "40P01", message: "deadlock detected" }, config) instanceof RetriableError,
  );
});
