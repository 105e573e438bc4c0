import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import { extractors } from "../etl/extract/mod.ts";
import { loaders } from "../etl/load/mod.ts";
import { dumpKv, randomMasterKey } from "../vault/_testing.ts";
import { isSealed, MASK } from "../vault/fields.ts";
import { createVault, type Vault } from "../vault/vault.ts";
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  maskedConnection,
  openConnection,
  updateConnection,
} from "./store.ts";

const SECRET = "Pl4nted-conn-secret-7c1e";

async function withStore(fn: (kv: Deno.Kv, vault: Vault) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv, createVault(kv, await randomMasterKey()));
  } finally {
    kv.close();
  }
}

const mysqlInput = (config: Record<string, unknown> = {}) => ({
  name: "EMR",
  kind: "source",
  type: "mysql",
  config: { host: "db.clinic.org", user: "etl", database: "emr", password: SECRET, ...config },
});

async function problemsOf(work: Promise<unknown>): Promise<string[]> {
  const err = await work.then(() => undefined, (e) => e);
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
  return err.problems;
}

Deno.test("createConnection() seals the password; openConnection() gives a runnable step back", async () => {
  await withStore(async (kv, vault) => {
    const saved = await createConnection(kv, vault, "clinic-a", mysqlInput(), "ana@clinic.org");
    assert.match(saved.id, /^[0-9a-f]{32}$/);
    assert.equal(saved.createdBy, "ana@clinic.org");
    const stored = await getConnection(kv, "clinic-a", saved.id);
    assert.ok(stored && isSealed(stored.config.password));
    assert.equal(stored.config.host, "db.clinic.org");
    assert.ok(!(await dumpKv(kv)).includes(SECRET));
    const step = await openConnection(kv, vault, "clinic-a", saved.id);
    assert.deepEqual(step, { type: "mysql", ...mysqlInput().config });
    // A pipeline adds what to read; the result is a valid source step of a spec.
    const { type, ...config } = step!;
    assert.ok(
      extractors.get(String(type))!.config.safeParse({ ...config, table: "patients" }).success,
    );
  });
});

Deno.test("maskedConnection() shows set secrets as the mask and every other setting as is", async () => {
  await withStore(async (kv, vault) => {
    const saved = await createConnection(kv, vault, "clinic-a", {
      name: "Exports",
      kind: "repository",
      type: "s3",
      config: { bucket: "exports", accessKeyId: "AKIAEXAMPLE1", secretAccessKey: SECRET },
    });
    assert.deepEqual(maskedConnection(saved).config, {
      bucket: "exports",
      accessKeyId: MASK,
      secretAccessKey: MASK,
    });
    const step = await openConnection(kv, vault, "clinic-a", saved.id);
    assert.ok(loaders.get("s3")!.config.safeParse(step).success, "a complete S3 repository step");
  });
});

Deno.test("createConnection() lists every problem with its path and saves nothing", async () => {
  await withStore(async (kv, vault) => {
    const problems = await problemsOf(createConnection(kv, vault, "clinic-a", {
      name: " ",
      kind: "source",
      type: "mysql",
      config: { host: "", port: "3306", hots: "db", password: MASK },
    }));
    assert.equal(problems.length, 5, problems.join("\n"));
    for (const path of ["name", "config.hots", "config.password", "config.host", "config.port"]) {
      assert.ok(problems.some((p) => p.startsWith(`${path}: `)), `no problem at ${path}`);
    }
    assert.match(problems.join("\n"), /config\.hots: is not a setting of MySQL/);
    assert.deepEqual(await listConnections(kv, "clinic-a"), []);
  });
});

Deno.test("createConnection() refuses types that are unknown, of the other kind, or files", async () => {
  await withStore(async (kv, vault) => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: "source", type: "ftp" }, /^type: unknown source type "ftp"; .*postgres/],
      [
        { kind: "source", type: "s3" },
        /^type: "s3" is a repository type; set kind to "repository"/,
      ],
      [{ kind: "source", type: "csv" }, /^type: "csv" has nothing to connect to/],
      [{ kind: "sink", type: "s3" }, /^kind: must be "source" or "repository"/],
    ];
    for (const [fields, expected] of cases) {
      const problems = await problemsOf(
        createConnection(kv, vault, "clinic-a", { name: "x", config: {}, ...fields }),
      );
      assert.match(problems.join("\n"), expected);
    }
  });
});

Deno.test("updateConnection() keeps a secret left out, empty or masked; new text replaces it", async () => {
  await withStore(async (kv, vault) => {
    const saved = await createConnection(kv, vault, "clinic-a", mysqlInput());
    const { password: _, ...withoutPassword } = mysqlInput().config;
    for (const password of [undefined, "", MASK]) {
      const config = { ...withoutPassword, port: 3307, password };
      const done = await updateConnection(kv, vault, "clinic-a", saved.id, { config });
      assert.equal((await openConnection(kv, vault, "clinic-a", saved.id))!.password, SECRET);
      assert.ok(done);
    }
    const renamed = await updateConnection(kv, vault, "clinic-a", saved.id, { name: "EMR 2" });
    assert.deepEqual(renamed!.changed, ["name"]);
    const edited = await updateConnection(kv, vault, "clinic-a", saved.id, {
      config: { ...withoutPassword, port: 3307, password: "n3w-password" },
    });
    assert.deepEqual(edited!.changed, ["config.password"]);
    const step = await openConnection(kv, vault, "clinic-a", saved.id);
    assert.equal(step!.password, "n3w-password");
    assert.equal(step!.port, 3307);
    const removed = await updateConnection(kv, vault, "clinic-a", saved.id, {
      config: { ...withoutPassword, password: null },
    });
    assert.deepEqual(removed!.changed, ["config.password", "config.port"]);
    assert.equal("password" in removed!.connection.config, false);
  });
});

Deno.test("updateConnection() with bad settings lists the problems and changes nothing", async () => {
  await withStore(async (kv, vault) => {
    const saved = await createConnection(kv, vault, "clinic-a", mysqlInput());
    const problems = await problemsOf(updateConnection(kv, vault, "clinic-a", saved.id, {
      name: "",
      config: { host: "db", port: 70000, tls: "sometimes" },
    }));
    assert.ok(problems.some((p) => p.startsWith("name: ")), problems.join("\n"));
    const config = { host: "db", port: 70000, tls: "sometimes" };
    const more = await problemsOf(updateConnection(kv, vault, "clinic-a", saved.id, { config }));
    assert.deepEqual(more.map((p) => p.split(":")[0]), ["config.port", "config.tls"]);
    await assert.rejects(updateConnection(kv, vault, "clinic-a", saved.id, {}), /change is empty/);
    assert.deepEqual(await getConnection(kv, "clinic-a", saved.id), saved);
  });
});

Deno.test("another tenant's connection id finds nothing, changes nothing and deletes nothing", async () => {
  await withStore(async (kv, vault) => {
    const saved = await createConnection(kv, vault, "clinic-a", mysqlInput());
    assert.equal(await getConnection(kv, "clinic-b", saved.id), undefined);
    assert.equal(await openConnection(kv, vault, "clinic-b", saved.id), undefined);
    assert.equal(
      await updateConnection(kv, vault, "clinic-b", saved.id, { name: "stolen" }),
      undefined,
    );
    assert.equal(await deleteConnection(kv, "clinic-b", saved.id), undefined);
    assert.deepEqual(await listConnections(kv, "clinic-b"), []);
    assert.deepEqual(await getConnection(kv, "clinic-a", saved.id), saved);
  });
});

Deno.test("listConnections() lists by name; deleteConnection() removes one", async () => {
  await withStore(async (kv, vault) => {
    const b = await createConnection(kv, vault, "clinic-a", { ...mysqlInput(), name: "b" });
    const a = await createConnection(kv, vault, "clinic-a", { ...mysqlInput(), name: "a" });
    assert.deepEqual((await listConnections(kv, "clinic-a")).map((c) => c.id), [a.id, b.id]);
    assert.equal((await deleteConnection(kv, "clinic-a", a.id))?.name, "a");
    assert.deepEqual((await listConnections(kv, "clinic-a")).map((c) => c.name), ["b"]);
    assert.equal(await deleteConnection(kv, "clinic-a", a.id), undefined);
  });
});
