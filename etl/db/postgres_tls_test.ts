import assert from "node:assert/strict";
import { runPipeline } from "../pipeline.ts";
import { failure, testContext } from "../testing.ts";
import { DbConnection } from "./options.ts";
import { checkPostgres, openPostgres } from "./postgres_client.ts";
import { startTlsPostgres } from "./_pg_tls_server.ts";

const ctx = testContext({ allowPrivateNetwork: true });

Deno.test("PostgreSQL over TLS: require and verify connect encrypted, a run loads through it, off is refused", async () => {
  const server = await startTlsPostgres();
  const input = await Deno.makeTempDir();
  try {
    const base = {
      host: "127.0.0.1",
      port: server.port,
      user: "postgres",
      database: "postgres",
      connectTimeoutSeconds: 5,
    };
    const encrypted = async (config: DbConnection) => {
      const session = await openPostgres(ctx, config);
      try {
        const [row] = await session.sql.unsafe(
          "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        );
        return row.ssl;
      } finally {
        await session.close();
      }
    };
    assert.equal(await encrypted(DbConnection.parse({ ...base, tls: "require" })), true);
    // Verified against its certificate, by the name the certificate holds.
    const verify = DbConnection.parse({ ...base, host: "localhost", tls: "verify", ca: server.ca });
    assert.equal(await encrypted(verify), true);

    const off = await failure(checkPostgres(ctx, DbConnection.parse({ ...base, tls: "off" })));
    assert.equal(
      off.message,
      `PostgreSQL at 127.0.0.1:${server.port} only accepts encrypted connections for user "postgres" and database "postgres": set tls to "require" or "verify"`,
    );

    // A whole run: rows copied into a new table over the encrypted connection.
    await Deno.writeTextFile(`${input}/visits.csv`, "id,name\n1,Zoë\n2,O'Brien\n3,Ann\n");
    const result = await runPipeline({
      version: 1,
      name: "tls",
      source: { type: "csv", path: "visits.csv" },
      repository: { type: "postgres", ...base, tls: "require", table: "visits", mode: "append" },
    }, { inputRoot: input, outputRoot: input, allowPrivateNetwork: true });
    assert.equal(result.status, "succeeded", result.error);
    const session = await openPostgres(ctx, DbConnection.parse({ ...base, tls: "require" }));
    try {
      const rows = await session.sql.unsafe("SELECT id, name FROM visits ORDER BY id");
      assert.deepEqual(rows.map((r) => [String(r.id), r.name]), [
        ["1", "Zoë"],
        ["2", "O'Brien"],
        ["3", "Ann"],
      ]);
    } finally {
      await session.close();
    }
  } finally {
    await server.stop();
    await Deno.remove(input, { recursive: true });
  }
});
