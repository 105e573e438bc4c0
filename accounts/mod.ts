/**
 * Accounts: tenants, their members and roles, invites, password hashing and rate-limited
 * sign-in, all in Deno KV under tenant-prefixed keys. No routes here: the web layer calls these.
 *
 * @example
 * ```ts
 * import { createInvite, signUp, verifyLogin } from "./accounts/mod.ts";
 * const { tenant, user } = await signUp(kv, { organisation, email, password });
 * const { token } = await createInvite(kv, tenant.id, "viewer", user.id);
 * const signedIn = await verifyLogin(kv, email, password, { ip });
 * ```
 * @module
 */
export {
  assertPasswordAllowed,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  passwordProblem,
  SCRYPT_PARAMS,
  type ScryptParams,
  verifyPassword,
} from "./password.ts";
export {
  EMAIL_TAKEN,
  findUserByEmail,
  getTenant,
  getUser,
  listMembers,
  normalizeEmail,
  removeMember,
  type Role,
  ROLES,
  setRole,
  signUp,
  type Tenant,
  type User,
} from "./store.ts";
export {
  acceptInvite,
  createInvite,
  INVITE_INVALID,
  INVITE_TTL_MS,
  type NewInvite,
} from "./invites.ts";
export {
  LOGIN_FAILED,
  LOGIN_LIMITS,
  LoginError,
  type LoginLimits,
  LoginRateLimitedError,
  verifyLogin,
} from "./login.ts";
