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
    const put = async (chunk: Uint8Array) => {
      if (chunk.length === 0) return;
      hash.update(chunk);
      bytes += chunk.length;
      await writeAll(file, chunk);
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
        await file.sync();
        close();
        await Deno.rename(temp, full);
        return { records, bytes, location: rel, checksum: `sha256:${hash.digest("hex")}` };
      },
      async abort() {
        close();
        await Deno.remove(temp).catch(() => {});
      },
    };
  },
});
