/**
 * The file repository: writes the encoded output under the deployment's output root (never
 * outside it) into a hidden temporary file, and publishes it by rename at commit, so a failed
 * run leaves no partial file behind.
 * @module
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { defineLoader } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { resolveInside } from "../paths.ts";

/** Config of the file repository. */
export const FileConfig = z.object({
  path: z.string().min(1).optional()
    .describe("Output file relative to the output folder; default <pipeline>.<extension>"),
  overwrite: z.boolean().default(true).describe("Replace a file of the same name"),
});

/** Bytes written between two background flushes to disk. */
const SYNC_EVERY = 64 * 1024 * 1024;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/** The file repository. */
export const fileLoader = defineLoader({
  type: "file",
  title: "Files",
  description: "A file in your organisation's storage, published only when the run succeeds",
  config: FileConfig,
  secrets: [],
  needsFormat: true,
  async open(ctx, config, target) {
    const format = target.format;
    if (!format) throw new ConfigError("A file repository needs an output format (output.format)");
    const rel = config.path ?? `${target.name}.${format.extension}`;
    const full = resolveInside(ctx.outputRoot, rel, "output path");
    if (!config.overwrite) {
      const exists = await Deno.stat(full).then(() => true, () => false);
      if (exists) throw new ConfigError(`The output "${rel}" already exists and overwrite is off`);
    }
    await Deno.mkdir(dirname(full), { recursive: true });
    const temp = join(dirname(full), `.${basename(full)}.${crypto.randomUUID()}.partial`);
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o640 });
    const encoder = format.create(target.formatConfig, target.schema, {
      table: target.name,
    });
    const hash = createHash("sha256");
    let bytes = 0;
    let records = 0;
    let closed = false;
    // One write in flight while the next batch is read and encoded: the encoder reuses its
    // buffer, so each chunk is first copied into this one (a memcpy, far cheaper than waiting).
    let spare = new Uint8Array(0);
    let inFlight: Promise<void> | undefined;
    let unsynced = 0;
    let syncing: Promise<void> | undefined;
    let syncError: unknown;
    const settle = async () => {
      const pending = inFlight;
      inFlight = undefined;
      await pending;
    };
    const put = async (chunk: Uint8Array) => {
      if (chunk.length === 0) return;
      hash.update(chunk);
      bytes += chunk.length;
      await settle();
      if (spare.length < chunk.length) spare = new Uint8Array(Math.max(chunk.length, 1 << 16));
      const copy = spare.subarray(0, chunk.length);
      copy.set(chunk);
      const writing = writeAll(file, copy);
      // Rejections surface at the next put or at commit; never unhandled in between.
      writing.catch(() => {});
      inFlight = writing;
      unsynced += chunk.length;
      if (unsynced >= SYNC_EVERY && !syncing) {
        unsynced = 0;
        // Flushed to disk while the next batches are made, so the sync at commit finds little
        // left to do (1.4 s of 15 s for 1.9 GB of Patient NDJSON when it was all left).
        syncing = writing.then(() => file.syncData()).catch((err) => {
          syncError ??= err;
        }).finally(() => syncing = undefined);
      }
    };
    const close = () => {
      if (!closed) file.close();
      closed = true;
    };
    return {
      async write(batch) {
        await put(await encoder.encode(batch.rows));
        records += batch.rows.length;
      },
      async commit() {
        await put(await encoder.end());
        await settle();
        await syncing;
        if (syncError !== undefined) throw syncError;
        await file.sync();
        close();
        await Deno.rename(temp, full);
        return { records, bytes, location: rel, checksum: `sha256:${hash.digest("hex")}` };
      },
      async abort() {
        await settle().catch(() => {});
        await syncing;
        close();
        await Deno.remove(temp).catch(() => {});
      },
    };
  },
});
