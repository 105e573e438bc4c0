/**
 * The file repository: writes the encoded output under the deployment's output root (never
 * outside it) into a hidden temporary file, and publishes it by rename at commit, so a failed
 * run leaves no partial file behind.
 *
 * A run may write its output in bounded steps, each possibly in another process: the temporary
 * file is named after the run (`.<name>.<run>.partial`) so the next step finds it,
 * `checkpoint()` makes the bytes so far durable and says how many there are, and `open` with
 * that state cuts the file back to them (a step that crashed after writing more leaves nothing
 * behind) and goes on appending. Parquet cannot go on appending: its steps write whole part
 * files that commit joins (see `_file_parts.ts`).
 * @module
 */
import { basename, dirname, join, relative, sep } from "node:path";
import { z } from "zod";
import { batchLength, encodeBatch } from "../columnar.ts";
import { defineLoader } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { resolveInside } from "../paths.ts";
import { partMergerOf } from "../format/parquet.ts";
import type { EncoderState, SinkState } from "../types.ts";
import { FileParts, syncFolder } from "./_file_parts.ts";
import { hashFileOnThread } from "../hash_thread.ts";
import { WriteBehind } from "./_write_behind.ts";
import { DirectFile } from "./_direct_io.ts";
import { sha256Stream } from "../../native/sha256.ts";

/** Config of the file repository. */
export const FileConfig = z.object({
  path: z.string().min(1).optional()
    .describe("Output file relative to the output folder; default <pipeline>.<extension>"),
  overwrite: z.boolean().default(true).describe("Replace a file of the same name"),
});

/** Where a step stopped, as `checkpoint()` saves it with the run's cursor. */
interface FileState {
  /** The temporary file, relative to the output root. */
  temp: string;
  bytes: number;
  records: number;
  encoder?: EncoderState;
  /** Formats written in whole parts (Parquet): the finished parts, relative to the root. */
  parts?: string[];
}

/** The hidden temporary file of this run's output, beside it: the same name in every step. */
function tempPathOf(full: string, run: string): string {
  const id = run.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 100) || "run";
  return join(dirname(full), `.${basename(full)}.${id}.partial`);
}

/** A saved state checked for shape: it comes back from storage, after another process. */
function fileStateOf(resume: SinkState): FileState {
  const { temp, bytes, records, encoder } = resume;
  const count = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (
    typeof temp !== "string" || !count(bytes) || !count(records) ||
    (encoder !== undefined && (typeof encoder !== "object" || encoder === null))
  ) {
    throw new ConfigError(
      "The saved progress of this run's file output is damaged; start the run again",
    );
  }
  return resume as unknown as FileState;
}

/** Opens a step's temporary file: new and empty, or the resumed one cut back to `bytes`. */
async function openTemp(temp: string, rel: string, resume?: FileState): Promise<Deno.FsFile> {
  if (!resume) {
    // Left by an earlier attempt of this run that never checkpointed: start over. Removed, not
    // truncated, so that a link planted under this name is never followed.
    await Deno.remove(temp).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    return await Deno.open(temp, { write: true, createNew: true, mode: 0o640 });
  }
  const gone = () =>
    new ConfigError(
      `The partial output of this run is gone (${rel} was not found in the output folder); ` +
        "start the run again",
    );
  const info = await Deno.lstat(temp).catch((err) => {
    if (err instanceof Deno.errors.NotFound) throw gone();
    throw err;
  });
  if (!info.isFile) throw gone();
  if (info.size < resume.bytes) {
    throw new ConfigError(
      `The partial output of this run (${rel}) is shorter than its last checkpoint ` +
        `(${info.size} of ${resume.bytes} bytes); start the run again`,
    );
  }
  const file = await Deno.open(temp, { append: true });
  try {
    // What a crashed step wrote after the checkpoint goes: the next batches replace it.
    await file.truncate(resume.bytes);
  } catch (err) {
    file.close();
    throw err;
  }
  return file;
}

/** The file repository. */
export const fileLoader = defineLoader({
  type: "file",
  title: "Files",
  description: "A file in your organisation's storage, published only when the run succeeds",
  config: FileConfig,
  secrets: [],
  needsFormat: true,
  columnar: true,
  async open(ctx, config, target, resumeState) {
    const format = target.format;
    if (!format) throw new ConfigError("A file repository needs an output format (output.format)");
    const rel = config.path ?? `${target.name}.${format.extension}`;
    const full = resolveInside(ctx.outputRoot, rel, "output path");
    if (!config.overwrite) {
      const exists = await Deno.stat(full).then(() => true, () => false);
      if (exists) throw new ConfigError(`The output "${rel}" already exists and overwrite is off`);
    }
    await Deno.mkdir(dirname(full), { recursive: true });
    const temp = tempPathOf(full, ctx.ids.run);
    // Saved without absolute paths: the output root may be mounted elsewhere in the next step.
    const tempRel = relative(ctx.outputRoot, temp).split(sep).join("/");
    const resume = resumeState ? fileStateOf(resumeState) : undefined;
    if (resume && resume.temp !== tempRel) {
      throw new ConfigError(
        `The output path of this run changed between its steps (from ${resume.temp} to ` +
          `${tempRel}); start the run again`,
      );
    }
    // The encoder first: a state it refuses must not cost the partial file.
    const create = (resume?: EncoderState) =>
      format.create(target.formatConfig, target.schema, {
        table: target.name,
        resume,
        oneGo: !target.steps,
      });
    let encoder = create(resume?.encoder);
    const merge = partMergerOf(format);
    if (resume?.parts && !merge) {
      throw new ConfigError(
        `The output format of this run changed between its steps (to ${format.title}); ` +
          "start the run again",
      );
    }
    const parts = merge && await FileParts.open(ctx.outputRoot, tempRel, merge, resumeState);
    // A resumed step of a format written in parts starts a part; all others write the temp file.
    let { path: current, file } = parts && resume
      ? await parts.create()
      : { path: temp, file: await openTemp(temp, tempRel, resume) };
    let partRows = 0;
    // The hash of earlier steps' bytes cannot be saved: a resumed output is hashed at commit.
    let bytes = resume?.bytes ?? 0;
    let records = resume?.records ?? 0;
    let closed = false;
    // A resumed file's name was made durable by the step that created it.
    let named = resume !== undefined;
    // Written behind the run (see _write_behind.ts); a new file skipping the page cache where it
    // can (see _direct_io.ts).
    const out = resume
      ? new WriteBehind(file)
      : new WriteBehind(file, sha256Stream(), DirectFile.open(current));
    const put = (chunk: Uint8Array) => {
      bytes += chunk.length;
      return out.put(chunk);
    };
    const close = () => {
      encoder.close?.();
      out.close();
      if (!closed) file.close();
      closed = true;
    };
    /** Every write done, and no background flush still running or failed. */
    const drain = () => out.drain();
    /** Ends the rows written since the last checkpoint as a complete, durable part. */
    const endPart = async (parts: FileParts) => {
      await put(await encoder.end());
      await drain();
      await file.syncData();
      close();
      // A whole-file hash no longer means anything: publishing hashes the joined parts.
      out.dropHash();
      await parts.add(current, bytes - parts.bytes);
    };
    return {
      async write(batch) {
        await put(await encodeBatch(encoder, batch));
        records += batchLength(batch);
        partRows += batchLength(batch);
      },
      async checkpoint() {
        if (parts && !encoder.state) {
          // A part without rows is not made: the next step would only skip it.
          if (partRows > 0) {
            await endPart(parts);
            encoder = create();
            ({ path: current, file } = await parts.create());
            out.switchTo(file);
            closed = false;
            partRows = 0;
          }
          return { temp: tempRel, bytes: parts.bytes, records, parts: [...parts.rels] };
        }
        if (!encoder.state) {
          throw new ConfigError(
            `The ${format.title} format cannot be written in steps to a file; ` +
              "run this pipeline in one go or choose another output format",
          );
        }
        await drain();
        await file.syncData();
        if (!named) {
          // A new file's name is only durable once its folder is synced: without it, a machine
          // crash could lose the partial file that the saved state points to.
          await syncFolder(dirname(temp));
          named = true;
        }
        const state: FileState = { temp: tempRel, bytes, records, encoder: encoder.state() };
        return { ...state };
      },
      async suspend() {
        await drain().catch(() => {});
        close();
        out.dropHash();
      },
      async commit() {
        if (parts && current !== temp) {
          out.dropHash();
          // The last part when it has rows; an empty file when no step wrote any.
          if (partRows > 0 || parts.rels.length === 0) await endPart(parts);
          else close();
          const done = await parts.publish(temp, full);
          return { records, bytes: done.bytes, location: rel, checksum: `sha256:${done.checksum}` };
        }
        await put(await encoder.end());
        await drain();
        await file.sync();
        let checksum = await out.digest();
        close();
        if (checksum === undefined) {
          // Resumed in steps: the earlier steps' bytes are hashed from the file.
          const whole = await hashFileOnThread(temp);
          checksum = whole.sha256;
          bytes = whole.size;
        }
        await Deno.rename(temp, full);
        return { records, bytes, location: rel, checksum: `sha256:${checksum}` };
      },
      async abort() {
        await drain().catch(() => {});
        close();
        out.dropHash();
        await Deno.remove(temp).catch(() => {});
        await parts?.removeFrom(0).catch(() => {});
      },
    };
  },
});
