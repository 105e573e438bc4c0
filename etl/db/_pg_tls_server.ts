/**
 * Test helper: a PostgreSQL server of its own that accepts only TLS connections, on a free
 * loopback port, with a self-signed certificate for `localhost` (the machine's server has no
 * TLS). Made with the machine's `initdb`, `pg_ctl` and `openssl`; as root, through
 * `su postgres`. About two seconds to start.
 * @module
 */
import { join } from "node:path";

/** A running TLS-only server. */
export interface TlsPostgres {
  port: number;
  /** The server's certificate (PEM): the CA to verify it with. */
  ca: string;
  stop(): Promise<void>;
}

async function pgBin(): Promise<string> {
  const root = "/usr/lib/postgresql";
  const versions: number[] = [];
  for await (const e of Deno.readDir(root)) if (/^\d+$/.test(e.name)) versions.push(+e.name);
  if (versions.length === 0) throw new Error(`No PostgreSQL binaries under ${root}`);
  return join(root, String(Math.max(...versions)), "bin");
}

async function sh(cmd: string, args: string[], asPostgres = false): Promise<void> {
  const [program, argv] = asPostgres && Deno.uid() === 0
    ? ["su", ["postgres", "-c", [cmd, ...args].map((a) => `'${a}'`).join(" ")]]
    : [cmd, args];
  const out = await new Deno.Command(program, { args: argv, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr).slice(0, 500)}`);
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Start the server; `stop()` ends it and deletes its files. */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const bin = await pgBin();
  const dir = await Deno.makeTempDir({ prefix: "pyx-pgtls-" });
  const data = join(dir, "data");
  if (Deno.uid() === 0) await sh("chown", ["postgres", dir]);
  await sh(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres"], true);
  await sh("openssl", [
    "req",
    "-new",
    "-x509",
    "-days",
    "2",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    join(data, "server.key"),
    "-out",
    join(data, "server.crt"),
  ], true);
  await Deno.chmod(join(data, "server.key"), 0o600);
  await Deno.writeTextFile(join(data, "postgresql.conf"), "ssl = on\nfsync = off\n", {
    append: true,
  });
  await Deno.writeTextFile(
    join(data, "pg_hba.conf"),
    "hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n",
  );
  const port = freePort();
  const log = join(dir, "log");
  await sh(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-o",
    `-p ${port} -k ${dir}`,
    "-l",
    log,
    "-w",
    "start",
  ], true);
  return {
    port,
    ca: await Deno.readTextFile(join(data, "server.crt")),
    async stop() {
      await sh(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], true)
        .catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}
