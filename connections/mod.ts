/**
 * Saved connections (databases, APIs, object stores) of a tenant, secrets sealed by the vault.
 *
 * @example
 * ```ts
 * import { createConnection, maskedConnection, openConnection } from "./connections/mod.ts";
 * const saved = await createConnection(kv, vault, tenant, { name, kind: "source", type: "postgres", config });
 * return c.json(maskedConnection(saved));                       // answers: secrets masked
 * const step = await openConnection(kv, vault, tenant, saved.id); // runs: { type, ...config }, secrets opened
 * ```
 * @module
 */
export {
  connectionKeys,
  type ConnectionRecord,
  type ConnectionUpdate,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  maskedConnection,
  newConnectionId,
  openConnection,
  openRecord,
  secretNames,
  updateConnection,
} from "./store.ts";
export {
  listSavedTables,
  type ProbeOptions,
  probeStep,
  redactSecrets,
  type TablesAnswer,
  testSavedConnection,
} from "./probe.ts";
export {
  configProblems,
  type ConnectionEntry,
  connectionEntry,
  type ConnectionKind,
  ConnectionName,
  connectionTypes,
} from "./validate.ts";
