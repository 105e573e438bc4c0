/**
 * The S3 repository written in steps (the run engine): an object cannot be appended to across
 * steps and processes, so the output is staged as a local file under the output root
 * (`.s3-staging/<tenant>/<run>/<object name>`) by the file repository's sink, with its
 * checkpoints, resumes and Parquet parts, and uploaded to the bucket when the run publishes.
 * Nothing appears in the bucket before that; the staged copy is removed once it is uploaded,
 * and on abort.
 *
 * A publish may be tried again after a failed upload (the store was unreachable): the file
 * sink's commit already renamed the staged file into place, so that file is uploaded as it is.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { ConfigError } from "../errors.ts";
import { resolveInside } from "../paths.ts";
import type { Format, LoadTarget, RunContext, Sink, SinkState } from "../types.ts";
import { fileLoader } from "./file.ts";
import { hashFileOnThread } from "../hash_thread.ts";
import { connectS3, type S3Config, whereOf } from "./_s3_config.ts";
import { s3Failure } from "./_s3_errors.ts";
import { uploadOf } from "./_s3_sink.ts";

/** The folder under the output root that S3 outputs are staged in, one folder per run. */
export const STAGING_FOLDER = ".s3-staging";

/** What `checkpoint()` saves: the object it is for and the file sink's own state. */
interface StagedState {
  bucket: string;
  key: string;
  file: SinkState;
}

/** What the staged file holds once the file sink committed it. */
interface Staged {
  records: number;
  bytes: number;
  checksum?: string;
}

/** A run or tenant id as one folder name: kept when plain, else made plain and told apart. */
function segmentOf(id: string): string {
  if (/^[A-Za-z0-9_-]{1,100}$/.test(id)) return id;
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 12);
  return `${id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 80)}-${hash}`;
}

/** The staged file's name: the key's last segment made safe, or `output.<ext>`. */
function stagedNameOf(key: string, extension: string): string {
  const last = key.split("/").filter((s) => s !== "").pop() ?? "";
  const name = last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "").slice(-100);
  return name || `output.${extension}`;
}

/** A saved state checked for shape: it comes back from storage, after another process. */
function stagedStateOf(resume: SinkState): StagedState {
  const { bucket, key, file } = resume;
  if (
    typeof bucket !== "string" || typeof key !== "string" || typeof file !== "object" ||
    file === null || Array.isArray(file)
  ) {
    throw new ConfigError(
      "The saved progress of this run's S3 output is damaged; start the run again",
    );
  }
  return { bucket, key, file: file as SinkState };
}

async function isFile(path: string): Promise<boolean> {
  const info = await Deno.lstat(path).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  });
  return info?.isFile ?? false;
}

async function removeFolder(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

/** A staged file an earlier commit finished: its records from the state, its bytes hashed. */
async function finishedFile(path: string, state: SinkState): Promise<Staged> {
  const records = state.records;
  if (typeof records !== "number" || !Number.isSafeInteger(records) || records < 0) {
    throw new ConfigError(
      "The saved progress of this run's S3 output is damaged; start the run again",
    );
  }
  const { sha256, size } = await hashFileOnThread(path);
  return { records, bytes: size, checksum: `sha256:${sha256}` };
}

/** Uploads the file at `path` to `key`; returns the object's ETag. */
async function uploadFile(
  client: S3Client,
  config: S3Config,
  key: string,
  format: Format,
  path: string,
): Promise<string | undefined> {
  const body = createReadStream(path, { highWaterMark: 1 << 20 });
  // Destroying the stream after the uploader stopped reading must not crash the process.
  body.on("error", () => {});
  try {
    const upload = uploadOf(client, {
      config,
      key,
      contentType: format.contentType,
      body,
      // A file can be uploaded again from the start: lib-storage cancels a failed multipart upload.
      leavePartsOnError: false,
    });
    const result = await upload.done();
    return result.ETag?.replace(/^"|"$/g, "");
  } catch (err) {
    throw s3Failure(err, whereOf(config, `s3://${config.bucket}/${key}`));
  } finally {
    body.destroy();
  }
}

/**
 * Open the staged output of `key` for a run in steps: with `resumeState` (a state from its
 * `checkpoint()`), continue it. The object's bucket and key must be those of the saved state.
 */
export async function openStagedS3Sink(
  ctx: RunContext,
  config: S3Config,
  key: string,
  format: Format,
  target: LoadTarget,
  resumeState?: SinkState,
): Promise<Sink> {
  const object = `s3://${config.bucket}/${key}`;
  const resume = resumeState ? stagedStateOf(resumeState) : undefined;
  if (resume && (resume.bucket !== config.bucket || resume.key !== key)) {
    throw new ConfigError(
      `The object of this run changed between its steps (from s3://${resume.bucket}/` +
        `${resume.key} to ${object}); start the run again`,
    );
  }
  const folderRel = [STAGING_FOLDER, segmentOf(ctx.ids.tenant), segmentOf(ctx.ids.run)].join("/");
  const stagedRel = `${folderRel}/${stagedNameOf(key, format.extension)}`;
  const folder = resolveInside(ctx.outputRoot, folderRel, "staging folder");
  const staged = resolveInside(ctx.outputRoot, stagedRel, "staging path");
  // Made (and the endpoint checked against the network policy) in every step, so a refused
  // endpoint stops the first step rather than the publish after all the work.
  const client = await connectS3(ctx, config);
  /** The committed staged file, once known: a publish tried again uploads it as it is. */
  let ready: Staged | undefined;
  try {
    if (resume && await isFile(staged)) ready = await finishedFile(staged, resume.file);
  } catch (err) {
    client.destroy();
    throw err;
  }
  // Opened at first use, so that discarding a run whose partial output is damaged or gone still
  // removes what is left of it.
  let file: Promise<Sink> | undefined;
  const writable = (): Promise<Sink> => {
    if (ready) {
      throw new ConfigError(
        `The output of this run is already finished and waiting to be uploaded to ${object}; ` +
          "it cannot be written to again",
      );
    }
    file ??= (async () => {
      // Left by an earlier attempt of this run's first step: start over.
      if (!resume) await removeFolder(folder);
      return await fileLoader.open(ctx, { path: stagedRel, overwrite: true }, target, resume?.file);
    })();
    return file;
  };
  let released = false;
  const release = () => {
    if (!released) client.destroy();
    released = true;
  };

  return {
    async write(batch) {
      await (await writable()).write(batch);
    },
    async checkpoint() {
      const state: StagedState = {
        bucket: config.bucket,
        key,
        file: await (await writable()).checkpoint!(),
      };
      return { ...state };
    },
    async suspend() {
      try {
        await file?.then((sink) => sink.suspend?.(), () => {});
      } finally {
        release();
      }
    },
    async commit() {
      if (released) throw new ConfigError(`The output to ${object} is already closed`);
      if (!ready) {
        ready = await (await writable()).commit();
        file = undefined;
      }
      // A failed upload keeps the client: commit may be called again, or suspend releases it.
      const etag = await uploadFile(client, config, key, format, staged);
      release();
      // The object is in the bucket: a staged copy left over costs only disk space.
      await removeFolder(folder).catch(() => {});
      return {
        records: ready.records,
        bytes: ready.bytes,
        location: object,
        checksum: ready.checksum,
        etag,
      };
    },
    async abort() {
      try {
        await file?.then((sink) => sink.abort(), () => {});
      } finally {
        release();
        await removeFolder(folder);
      }
    },
  };
}
