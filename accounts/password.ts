/**
 * Password hashing with scrypt (memory-hard) from `node:crypto`. A hash is stored as a
 * self-describing string `scrypt$N$r$p$salt$hash` (salt and hash in base64), so parameters can be
 * raised later and old hashes still verify; {@link needsRehash} says when to replace one.
 * @module
 */
import { scrypt, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../etl/errors.ts";

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** The parameters new hashes use: 2^15, 8, 1 (32 MiB of memory per hash). */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

/** The fewest characters a password may have. */
export const MIN_PASSWORD_LENGTH = 12;
/** The most characters a password may have (longer input is refused, never hashed). */
export const MAX_PASSWORD_LENGTH = 1024;

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Stored parameters outside these bounds are refused, so a tampered hash cannot exhaust memory. */
const MAX_MEMORY = 256 * 1024 * 1024;

/**
 * What is wrong with a password for a new account, or undefined when it may be used.
 * The message never repeats the password.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `The password is too short: it has ${password.length} characters and at least ${MIN_PASSWORD_LENGTH} are needed; use a longer passphrase`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `The password is too long: it has ${password.length} characters and at most ${MAX_PASSWORD_LENGTH} are accepted`;
  }
  return undefined;
}

/** Throw a ConfigError (problem `password: …`) when {@link passwordProblem} finds one. */
export function assertPasswordAllowed(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new ConfigError(problem, [`password: ${problem}`]);
}

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const maxmem = Math.min(MAX_MEMORY, 256 * params.N * params.r * params.p + 1024 * 1024);
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_BYTES,
      { ...params, maxmem },
      (err, key) => err ? reject(err) : resolve(new Uint8Array(key)),
    )
  );
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

interface ParsedHash {
  params: ScryptParams;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts.slice(1, 4).map((s) => /^[1-9][0-9]{0,8}$/.test(s) ? Number(s) : NaN);
  const ok = Number.isInteger(N) && N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0 &&
    Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16 &&
    128 * N * r * p <= MAX_MEMORY;
  const salt = fromBase64(parts[4]);
  const hash = fromBase64(parts[5]);
  if (!ok || !salt || salt.length < SALT_BYTES || !hash || hash.length !== KEY_BYTES) {
    return undefined;
  }
  return { params: { N, r, p }, salt, hash };
}

/**
 * Hash a password with a fresh 16-byte random salt. Does not check the length policy (see
 * {@link assertPasswordAllowed}) but refuses input over {@link MAX_PASSWORD_LENGTH}.
 *
 * @example
 * ```ts
 * const stored = await hashPassword("correct horse battery staple");
 * // "scrypt$32768$8$1$<salt>$<hash>"
 * ```
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<string> {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ConfigError(passwordProblem(password)!);
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * True when `password` matches `stored` (compared in constant time). A malformed or tampered
 * hash string, or a password over {@link MAX_PASSWORD_LENGTH}, gives false rather than throwing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was not made with `params` (or cannot be read): hash again at next login. */
export function needsRehash(stored: string, params: ScryptParams = SCRYPT_PARAMS): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.N !== params.N || parsed.params.r !== params.r ||
    parsed.params.p !== params.p;
}
