/**
 * File uploads into the tenant's own input folder, streamed to disk (never held in memory) with
 * a size limit. `PUT /app/uploads?name=<file name>` (editors and owners, CSRF header) writes the
 * body to `<tenant input root>/uploads/<random>/<safe name>` and answers `{ path, name, bytes }`
 * with `path` relative to the tenant's input root, as a CSV or JSON source's `path` is. The body
 * goes to a temporary file first and is renamed into place only once complete, so a cut or
 * refused upload leaves nothing behind.
 *
 * @example
 * ```ts
 * const saved = await storeUpload(root, "patients.csv", request.body!);
 * // { path: "uploads/3f…/patients.csv", name: "patients.csv", bytes: 40213 }
 * ```
 * @module
 */
import { extname, join } from "node:path";
import { Hono } from "hono";
import { resolveInside } from "../etl/paths.ts";
import type { AppDeps } from "../routes/deps.ts";
import { tenantRoot } from "../runs/plan_secrets.ts";
import { type PageEnv, pageRole } from "./page.ts";
import { refusedPage } from "./refused.tsx";

/** Where uploads are posted; the app's 1 MiB body limit does not apply there. */
export const UPLOADS_PATH = "/app/uploads";

/** Largest file accepted: 200 MiB (a constant, not a setting, for now). */
export const UPLOAD_MAX_BYTES = 200 * 1024 * 1024;

/** File types accepted, by extension. */
export const UPLOAD_EXTENSIONS = [".csv", ".tsv", ".txt", ".json", ".ndjson"] as const;

/** The folder under a tenant's input root that holds uploads. */
export const UPLOADS_FOLDER = "uploads";

/** A stored upload. */
export interface StoredUpload {
  /** Relative to the tenant's input root, e.g. `uploads/<32 hex>/patients.csv`. */
  path: string;
  name: string;
  bytes: number;
}

/** An upload that cannot be stored, with the HTTP status that says why. */
export class UploadError extends Error {
  override name = "UploadError";
  constructor(readonly status: 400 | 413 | 415, message: string) {
    super(message);
  }
}

const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/**
 * A file name safe to store: the last path part, characters other than letters, digits, dot,
 * dash and underscore replaced by `_`, no leading dots, at most 100 characters; refused unless
 * its extension is one of {@link UPLOAD_EXTENSIONS}.
 */
export function safeFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  let name = base.normalize("NFKD").replace(/[^\w.-]+/g, "_").replace(/^[._]+/, "");
  const ext = extname(name).toLowerCase();
  if (name.length > 100) name = name.slice(0, 100 - ext.length) + ext;
  if (!name || name === ext) {
    throw new UploadError(400, "The file has no name; choose a file such as patients.csv.");
  }
  if (!(UPLOAD_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new UploadError(
      415,
      `"${base}" is not a file type we can read; upload a ${UPLOAD_EXTENSIONS.join(", ")} file.`,
    );
  }
  return name;
}

const randomHex = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

/**
 * Stream `body` to `<root>/uploads/<random>/<safe name>` through a temporary file, refusing it
 * past `maxBytes` or when empty. Nothing is left behind when it fails or is cut.
 */
export async function storeUpload(
  root: string,
  rawName: string,
  body: ReadableStream<Uint8Array>,
  maxBytes: number = UPLOAD_MAX_BYTES,
): Promise<StoredUpload> {
  const name = safeFileName(rawName);
  const id = randomHex();
  const folder = join(root, UPLOADS_FOLDER);
  await Deno.mkdir(folder, { recursive: true });
  const temp = join(folder, `${id}.part`);
  let bytes = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, out) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) {
        out.error(
          new UploadError(413, `The file is larger than ${mib(maxBytes)}; split it and try again.`),
        );
      } else out.enqueue(chunk);
    },
  });
  const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
  try {
    await body.pipeThrough(counter).pipeTo(file.writable);
    if (bytes === 0) throw new UploadError(400, `"${name}" is empty; choose a file with data.`);
    await Deno.mkdir(join(folder, id));
    await Deno.rename(temp, join(folder, id, name));
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    if (err instanceof UploadError) throw err;
    throw new UploadError(
      400,
      "The upload was interrupted before the whole file arrived; try again.",
    );
  }
  return { path: `${UPLOADS_FOLDER}/${id}/${name}`, name, bytes };
}

/** One upload of a tenant, as the source step lists them. */
export interface UploadInfo extends StoredUpload {
  /** When it was stored (ISO). */
  at: string;
}

/** The tenant's uploads under `root`, newest first (at most `limit`). */
export async function listUploads(root: string, limit = 50): Promise<UploadInfo[]> {
  const folder = join(root, UPLOADS_FOLDER);
  const out: UploadInfo[] = [];
  try {
    for await (const dir of Deno.readDir(folder)) {
      if (!dir.isDirectory || !/^[0-9a-f]{32}$/.test(dir.name)) continue;
      for await (const f of Deno.readDir(join(folder, dir.name))) {
        if (!f.isFile) continue;
        const info = await Deno.stat(join(folder, dir.name, f.name));
        out.push({
          path: `${UPLOADS_FOLDER}/${dir.name}/${f.name}`,
          name: f.name,
          bytes: info.size,
          at: (info.mtime ?? new Date(0)).toISOString(),
        });
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

/**
 * The upload at `path` (relative to `root`) when it is one of the tenant's uploads, or undefined:
 * a path from a form is checked to be `uploads/<32 hex>/<name>` inside the root, and to exist.
 */
export async function findUpload(root: string, path: string): Promise<StoredUpload | undefined> {
  const match = /^uploads\/[0-9a-f]{32}\/([^/\\]+)$/.exec(path);
  if (!match) return undefined;
  try {
    const info = await Deno.stat(resolveInside(root, path, "upload"));
    return info.isFile ? { path, name: match[1], bytes: info.size } : undefined;
  } catch {
    return undefined;
  }
}

/** The tenant's input root, where its uploads and the files its sources read live. */
export function inputRootOf(deps: AppDeps, tenant: string): string {
  const e = deps.engine;
  return tenantRoot(e.inputRoot, tenant, e.tenantFiles);
}

/** `PUT /` (mounted at {@link UPLOADS_PATH}): stream one file into the tenant's uploads. */
export function uploadRoutes(deps: AppDeps): Hono<PageEnv> {
  const routes = new Hono<PageEnv>();
  routes.use("*", pageRole("editor", refusedPage));
  routes.put("/", async (c) => {
    try {
      const declared = Number(c.req.header("Content-Length") ?? 0);
      if (declared > UPLOAD_MAX_BYTES) {
        throw new UploadError(
          413,
          `The file is larger than ${mib(UPLOAD_MAX_BYTES)}; split it and try again.`,
        );
      }
      const body = c.req.raw.body;
      if (!body) throw new UploadError(400, "The upload is empty; choose a file with data.");
      const stored = await storeUpload(
        inputRootOf(deps, c.get("tenant")),
        c.req.query("name") ?? "",
        body,
      );
      return c.json(stored, 201);
    } catch (err) {
      if (err instanceof UploadError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });
  return routes;
}
