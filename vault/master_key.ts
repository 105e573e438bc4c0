/**
 * The master key that wraps every tenant's data key. It comes from `MASTER_KEY` (the base64 of
 * 32 random bytes, or `file:<path>` naming a file that holds it); without it the embedded default
 * uses `master.key` beside the KV file, generated with mode 0600 on first start. Production refuses
 * to generate one. Key files readable by group or others are refused.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../etl/errors.ts";
import { fromBase64, toBase64 } from "./_codec.ts";

/** A loaded master key: the non-extractable AES-256-GCM key and a short fingerprint. */
export interface MasterKey {
  /** AES-GCM key used to wrap and unwrap tenants' data keys. */
  key: CryptoKey;
  /** First 8 hex digits of the SHA-256 of the raw key; stored beside each wrapped data key. */
  id: string;
  /** Where it came from: `MASTER_KEY` itself, a key file, or a file generated just now. */
  source: "env" | "file" | "generated";
  /** The key file, when there is one. */
  path?: string;
}

/** Options of {@link loadMasterKey}. */
export interface LoadMasterKeyOptions {
  /** Environment to read `MASTER_KEY` from (default: the process environment). */
  env?: Record<string, string | undefined>;
  /** `production` requires `MASTER_KEY`; `embedded` (default) may generate a key file. */
  mode?: "embedded" | "production";
  /** The KV file; the generated key file goes beside it (default `data/local/portal.kv`). */
  kvPath?: string;
  /** Whether the embedded default may generate the key file when it is missing (default true). */
  generate?: boolean;
}

const HINT = "the base64 of 32 random bytes (e.g. `openssl rand -base64 32`) or file:<path>";

/**
 * Load the master key as described in the module doc.
 *
 * @example
 * ```ts
 * const master = await loadMasterKey({ kvPath: env.KV_PATH });
 * if (master.source === "generated") console.log(masterKeyNotice(master));
 * ```
 */
export async function loadMasterKey(options: LoadMasterKeyOptions = {}): Promise<MasterKey> {
  const env = options.env ?? Deno.env.toObject();
  const fromEnv = await masterKeyFromSetting(env.MASTER_KEY, "MASTER_KEY");
  if (fromEnv) return fromEnv;
  if (options.mode === "production") {
    throw new ConfigError(`MASTER_KEY is not set; production needs it: set it to ${HINT}`);
  }
  const path = defaultKeyFile(options.kvPath ?? "data/local/portal.kv");
  try {
    return await readMasterKeyFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (options.generate === false) {
    throw new ConfigError(`No master key: MASTER_KEY is not set and ${path} does not exist`);
  }
  const generated = await generateKeyFile(path);
  return { ...(await readMasterKeyFile(path)), source: generated ? "generated" : "file" };
}

/**
 * Parse a `MASTER_KEY`-style setting named `name` (e.g. `MASTER_KEY_PREVIOUS` during a
 * rotation); `undefined` when it is unset or empty.
 */
export async function masterKeyFromSetting(
  value: string | undefined,
  name: string,
): Promise<MasterKey | undefined> {
  if (!value?.trim()) return undefined;
  if (value.startsWith("file:")) return await readMasterKeyFile(value.slice(5));
  return { ...(await importRaw(decodeKey(value, name))), source: "env" };
}

/** Read a key file, refusing one that group or others may read or write. */
export async function readMasterKeyFile(path: string): Promise<MasterKey> {
  const full = resolve(path);
  const info = await Deno.stat(full);
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new ConfigError(
      `The master key file ${full} can be read by other users (mode ${mode}); run: chmod 600 ${full}`,
    );
  }
  const raw = decodeKey(await Deno.readTextFile(full), `The master key file ${full}`);
  return { ...(await importRaw(raw)), source: "file", path: full };
}

/** The embedded default's key file: `master.key` in the KV file's folder. */
export function defaultKeyFile(kvPath: string): string {
  const local = !kvPath.startsWith(":") && !/^[a-z]+:\/\//i.test(kvPath);
  return resolve(local ? join(dirname(kvPath), "master.key") : "data/local/master.key");
}

/** One line telling the operator where the key is; say it on start. */
export function masterKeyNotice(master: MasterKey): string {
  if (master.source === "generated") {
    return `Generated a new master key (id ${master.id}) at ${master.path} with mode 0600. ` +
      "Back it up: without it the stored secrets cannot be decrypted. Production needs MASTER_KEY.";
  }
  return `Master key ${master.id} from ${master.source === "env" ? "MASTER_KEY" : master.path}`;
}

function decodeKey(text: string, what: string): Uint8Array<ArrayBuffer> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64(text);
  } catch {
    throw new ConfigError(`${what} is not base64; it must be ${HINT}`);
  }
  if (raw.length !== 32) {
    throw new ConfigError(`${what} holds ${raw.length} bytes, not 32; it must be ${HINT}`);
  }
  return raw;
}

async function importRaw(raw: Uint8Array<ArrayBuffer>): Promise<Omit<MasterKey, "source">> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
  const id = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const usages: KeyUsage[] = ["encrypt", "decrypt", "wrapKey", "unwrapKey"];
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, usages);
  raw.fill(0);
  return { key, id };
}

/** Write a fresh key to `path` atomically (temp file + hard link); false if another won. */
async function generateKeyFile(path: string): Promise<boolean> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  const raw = crypto.getRandomValues(new Uint8Array(32));
  try {
    await Deno.writeTextFile(temp, `${toBase64(raw)}\n`, { createNew: true, mode: 0o600 });
    if (Deno.build.os !== "windows") await Deno.chmod(temp, 0o600);
    await Deno.link(temp, path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    throw err;
  } finally {
    raw.fill(0);
    await Deno.remove(temp).catch(() => {});
  }
}
