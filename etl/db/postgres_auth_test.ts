/**
 * Password and TLS messages need a server that asks for them: the local test server trusts
 * everyone and has no SSL. This file starts a throwaway cluster (initdb in a temp dir, a free
 * port, scram-sha-256, and with openssl a self-signed certificate and a hostssl-only rule),
 * and stops and deletes it at the end. PostgreSQL refuses to run as root, so as root the
 * cluster runs as the `postgres` system user through runuser.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { failure, testContext } from "../testing.ts";
import { DbConnection } from "./options.ts";
import { checkPostgres } from "./postgres_client.ts";

const PASSWORD = "Corr3ct-horse";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function findBin(): string | undefined {
  if (!exists("/usr/lib/postgresql")) return undefined;
  const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name)
    .filter((v) => exists(`/usr/lib/postgresql/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? `/usr/lib/postgresql/${versions[0]}/bin` : undefined;
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
    const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    return { ok: r.success, out: text.trim() };
  } catch (err) {
    return { ok: false, out: String(err) };
  }
}

const BIN = findBin();
const ROOT = Deno.uid() === 0;
const OWNER = ROOT ? run("id", ["-u", "postgres"]) : { ok: true, out: "" };
const OWNER_GROUP = ROOT ? run("id", ["-g", "postgres"]) : { ok: true, out: "" };
const CAN_SWITCH = !ROOT || (OWNER.ok && exists("/usr/sbin/runuser"));
const OPENSSL = run("openssl", ["version"]).ok;
const SKIP = !BIN
  ? "no /usr/lib/postgresql/*/bin/initdb"
  : !CAN_SWITCH
  ? "running as root without runuser and a postgres user (PostgreSQL refuses root)"
  : undefined;

/** Run a PostgreSQL tool as the cluster's owner. */
function asOwner(tool: string, args: string[]): void {
  const r = ROOT
    ? run("/usr/sbin/runuser", ["-u", "postgres", "--", `${BIN}/${tool}`, ...args])
    : run(`${BIN}/${tool}`, args);
  if (!r.ok) throw new Error(`${tool} failed: ${r.out}`);
}

async function own(path: string): Promise<void> {
  if (ROOT) await Deno.chown(path, Number(OWNER.out), Number(OWNER_GROUP.out));
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: `PostgreSQL with a password${OPENSSL ? " and TLS" : ""}: messages and TLS modes${
    SKIP ? ` (skipped: ${SKIP})` : ""
  }`,
  ignore: SKIP !== undefined,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "pyx_pg_auth_" });
    const data = `${dir}/data`;
    const port = freePort();
    let started = false;
    try {
      await own(dir);
      await Deno.writeTextFile(`${dir}/pw`, PASSWORD);
      await own(`${dir}/pw`);
      asOwner("initdb", [
        "-D",
        data,
        "-U",
        "clinic_etl",
        `--pwfile=${dir}/pw`,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--no-sync",
      ]);
      let cert = "";
      if (OPENSSL) {
        const made = run("openssl", [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "2",
          "-subj",
          "/CN=localhost",
          "-addext",
          "subjectAltName=IP:127.0.0.1,DNS:localhost",
          "-keyout",
          `${data}/server.key`,
          "-out",
          `${data}/server.crt`,
        ]);
        assert.ok(made.ok, made.out);
        await Deno.chmod(`${data}/server.key`, 0o600);
        await own(`${data}/server.key`);
        await own(`${data}/server.crt`);
        cert = await Deno.readTextFile(`${data}/server.crt`);
        await Deno.writeTextFile(`${data}/postgresql.conf`, "\nssl = on\n", { append: true });
      }
      await Deno.writeTextFile(
        `${data}/pg_hba.conf`,
        `local all all trust\n${OPENSSL ? "hostssl" : "host"} all all 127.0.0.1/32 scram-sha-256\n`,
      );
      asOwner("pg_ctl", [
        "-D",
        data,
        "-o",
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        "-l",
        `${dir}/log`,
        "-w",
        "-t",
        "20",
        "start",
      ]);
      started = true;
      const ctx = testContext({ allowPrivateNetwork: true });
      const base = DbConnection.parse({
        host: "127.0.0.1",
        port,
        database: "postgres",
        user: "clinic_etl",
        password: PASSWORD,
        tls: OPENSSL ? "require" : "off",
      });

      await t.step("the right password connects", async () => {
        const { message } = await checkPostgres(ctx, base);
        assert.match(
          message,
          /^Connected to PostgreSQL 1\d\.\d+ as clinic_etl, database postgres$/,
        );
      });

      await t.step("a wrong password is named, and not shown", async () => {
        const err = await failure(checkPostgres(ctx, { ...base, password: "wrong-Pa55" }));
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          `PostgreSQL at 127.0.0.1:${port} refused the password for user "clinic_etl": check the user name and password`,
        );
      });

      if (!OPENSSL) return;

      await t.step("a server that only allows TLS says so when tls is off", async () => {
        const err = await failure(checkPostgres(ctx, { ...base, tls: "off" }));
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          `PostgreSQL at 127.0.0.1:${port} only accepts encrypted connections for user "clinic_etl" and database "postgres": set tls to "require" or "verify"`,
        );
      });

      await t.step("tls verify checks the certificate against the CA", async () => {
        const { message } = await checkPostgres(ctx, { ...base, tls: "verify", ca: cert });
        assert.match(message, /as clinic_etl/);
        const err = await failure(checkPostgres(ctx, { ...base, tls: "verify" }));
        assert.ok(err instanceof ConfigError);
        assert.match(
          err.message,
          new RegExp(
            `^The certificate of PostgreSQL at 127\\.0\\.0\\.1:${port} could not be verified`,
          ),
        );
      });
    } finally {
      if (started) asOwner("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
