/**
 * Saved connections of the request's tenant, for editors and owners only (viewers see runs and
 * reports, not connections). Secrets are write-only: every answer shows them masked, a test
 * opens them inside the server only, and the audit log names the connection, never its settings.
 * Another tenant's connection is a 404, like one that does not exist.
 *
 * - `POST /` `{ name, kind, type, config }` → 201 the saved connection
 * - `GET /` → `{ connections }`; `GET /:id` → the connection
 * - `PATCH /:id` `{ name?, config? }`: `config` is the whole new settings; a secret left out,
 *   empty or masked keeps its saved value, `null` removes it
 * - `DELETE /:id` → 204
 * - `POST /:id/test` → `{ ok, message }`; `GET|POST /:id/tables` (sources) → `{ ok, tables }`
 * @module
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { type AuditAction, recordAudit } from "../audit/log.ts";
import {
  type ConnectionRecord,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  listSavedTables,
  maskedConnection,
  testSavedConnection,
  updateConnection,
} from "../connections/mod.ts";
import type { ConnectionAnswer } from "../etl/connections.ts";
import { VaultError } from "../vault/errors.ts";
import type { Vault } from "../vault/vault.ts";
import type { ApiEnv, AppDeps } from "./deps.ts";
import { ApiError, checked, jsonBody, urlFor } from "./http.ts";
import { requireRole } from "./roles.ts";

/** Ids of saved connections: 32 hex digits. */
export const ConnectionId = z.string().regex(/^[0-9a-f]{32}$/, "must be 32 hex digits")
  .describe("The connection's id");

/** Any JSON object; the store checks its fields and lists every problem with its path. */
export const Body = z.record(z.string(), z.unknown(), { error: "must be a JSON object" });

const NO_VAULT =
  "Saved connections are not available: this server was started without its credential vault " +
  "(MASTER_KEY); ask the operator to configure it.";

/** A vault that cannot open a stored secret is a server-side problem; its message is safe. */
async function vaultSafe<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof VaultError) throw new ApiError(503, err.message);
    throw err;
  }
}

/**
 * Write a change to a saved connection to the request tenant's audit log, as the API and the
 * pages both do: the connection's name and type (and `extra`), never its settings.
 */
export async function auditConnection(
  kv: Deno.Kv,
  c: Context<ApiEnv>,
  action: AuditAction,
  record: ConnectionRecord,
  extra: Record<string, string | boolean> = {},
): Promise<void> {
  await recordAudit(kv, c.get("tenant"), {
    actor: c.get("principal").label,
    action,
    target: record.id,
    detail: { name: record.name, type: record.type, ...extra },
  });
}

/**
 * Test a saved connection from inside the server and audit that it was tested. A vault that
 * cannot open its secret is a failed test whose sentence is the vault's (safe to show).
 * `deps.vault` must be set: both callers answer "not available" before getting here without it.
 */
export async function testConnectionAudited(
  deps: AppDeps,
  c: Context<ApiEnv>,
  record: ConnectionRecord,
): Promise<ConnectionAnswer> {
  // Read at request time: the deployment (and tests) may change it.
  const probe = { allowPrivateNetwork: deps.engine.allowPrivateNetwork };
  const answer = await testSavedConnection(deps.vault!, c.get("tenant"), record, probe)
    .catch((err): ConnectionAnswer => {
      if (err instanceof VaultError) return { ok: false, message: err.message };
      throw err;
    });
  await auditConnection(deps.engine.kv, c, "connection.tested", record, { ok: answer.ok });
  return answer;
}

/** The `/connections` routes, mounted at `/api/v1/connections`. */
export function connectionRoutes(deps: AppDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const kv = deps.engine.kv;

  routes.use("*", requireRole("editor"));
  routes.use("*", async (_c, next) => {
    if (!deps.vault) throw new ApiError(503, NO_VAULT);
    await next();
  });
  const vault = (): Vault => deps.vault!;
  // Read at request time: the deployment (and tests) may change it.
  const probe = () => ({ allowPrivateNetwork: deps.engine.allowPrivateNetwork });

  const found = async (c: Context<ApiEnv>): Promise<ConnectionRecord> => {
    const id = checked(ConnectionId, c.req.param("id"), "The connection id");
    const record = await getConnection(kv, c.get("tenant"), id);
    if (!record) throw new ApiError(404, `There is no connection with id "${id}".`);
    return record;
  };

  routes.post("/", async (c) => {
    const input = await jsonBody(c, Body);
    const record = await vaultSafe(() =>
      createConnection(kv, vault(), c.get("tenant"), input, c.get("principal").label)
    );
    await auditConnection(kv, c, "connection.created", record, { kind: record.kind });
    c.header("Location", urlFor(c, deps.publicUrl, `/api/v1/connections/${record.id}`));
    return c.json(maskedConnection(record), 201);
  });

  routes.get("/", async (c) => {
    const list = await listConnections(kv, c.get("tenant"));
    return c.json({ connections: list.map(maskedConnection) });
  });

  routes.get("/:id", async (c) => c.json(maskedConnection(await found(c))));

  routes.patch("/:id", async (c) => {
    const id = (await found(c)).id;
    const change = await jsonBody(c, Body);
    const updated = await vaultSafe(() =>
      updateConnection(kv, vault(), c.get("tenant"), id, change)
    );
    if (!updated) throw new ApiError(404, `There is no connection with id "${id}".`);
    if (updated.changed.length > 0) {
      await auditConnection(kv, c, "connection.updated", updated.connection, {
        changed: updated.changed.join(", "),
      });
    }
    return c.json(maskedConnection(updated.connection));
  });

  routes.delete("/:id", async (c) => {
    const id = (await found(c)).id;
    const deleted = await deleteConnection(kv, c.get("tenant"), id);
    if (!deleted) throw new ApiError(404, `There is no connection with id "${id}".`);
    await auditConnection(kv, c, "connection.deleted", deleted);
    return c.body(null, 204);
  });

  routes.post("/:id/test", async (c) => {
    return c.json(await testConnectionAudited(deps, c, await found(c)));
  });

  const tables = async (c: Context<ApiEnv>) => {
    const record = await found(c);
    if (record.kind !== "source") {
      throw new ApiError(
        400,
        `The connection "${record.name}" is a repository; only source connections have tables to list.`,
      );
    }
    return c.json(
      await vaultSafe(() => listSavedTables(vault(), c.get("tenant"), record, probe())),
    );
  };
  routes.get("/:id/tables", tables);
  routes.post("/:id/tables", tables);

  return routes;
}
