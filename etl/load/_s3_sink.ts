/**
 * The open output of the S3 repository: encoded bytes stream into a lib-storage upload as the
 * run writes. Small outputs become one PutObject at commit; large ones a multipart upload that
 * is completed at commit. Until then no object exists under the key, and abort cancels the
 * multipart upload so no parts are left behind.
 * @module
 */
import type { CompleteMultipartUploadCommandOutput, S3Client } from "@aws-sdk/client-s3";
import type { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import { batchLength, encodeBatch } from "../columnar.ts";
import { ConfigError } from "../errors.ts";
import type { Format, LoadTarget, Sink } from "../types.ts";
import { UploadBody } from "./_s3_body.ts";
import { type S3Config, whereOf } from "./_s3_config.ts";
import { s3Failure } from "./_s3_errors.ts";
import { loadedS3Sdk, loadS3Sdk } from "./_s3_sdk.ts";

/** Parts uploading at once: memory use is about (this + 1) parts. */
const PARTS_IN_FLIGHT = 2;

/** Why the body stream stopped when the run aborts. */
class UploadCancelled extends Error {
  override name = "UploadCancelled";
}

/**
 * An upload of `body` to `key` with the repository's settings: part size, parts in flight,
 * content type and server-side encryption. Both the streaming and the staged sink use it, so
 * an object looks the same whichever way it was written. Synchronous: `client` comes from
 * `connectS3`, which loaded the SDK.
 */
export function uploadOf(
  client: S3Client,
  options: {
    config: S3Config;
    key: string;
    contentType: string;
    body: Readable;
    /** True when the caller aborts a failed multipart upload itself. */
    leavePartsOnError: boolean;
  },
): Upload {
  const { config } = options;
  const sse = config.serverSideEncryption === "none" ? undefined : config.serverSideEncryption;
  const { Upload } = loadedS3Sdk().storage;
  return new Upload({
    client,
    queueSize: PARTS_IN_FLIGHT,
    partSize: config.partSizeMB * 1024 * 1024,
    leavePartsOnError: options.leavePartsOnError,
    params: {
      Bucket: config.bucket,
      Key: options.key,
      Body: options.body,
      ContentType: options.contentType,
      ServerSideEncryption: sse,
      SSEKMSKeyId: sse === "aws:kms" ? config.kmsKeyId : undefined,
    },
  });
}

/** Start the upload of `key` and return the sink that feeds it. The sink destroys `client`. */
export function openS3Sink(
  client: S3Client,
  config: S3Config,
  key: string,
  format: Format,
  target: LoadTarget,
): Sink {
  const object = `s3://${config.bucket}/${key}`;
  const where = whereOf(config, object);
  // Streamed straight to the bucket only by runs in one go (steps stage a file instead).
  const encoder = format.create(target.formatConfig, target.schema, {
    table: target.name,
    oneGo: true,
  });
  const body = new UploadBody();
  const upload = uploadOf(client, {
    config,
    key,
    contentType: format.contentType,
    body: body.stream,
    // We abort the multipart upload ourselves, so abort() can wait for it and report a failure.
    leavePartsOnError: true,
  });
  let failure: unknown;
  let result: CompleteMultipartUploadCommandOutput | undefined;
  const settled = upload.done().then((r) => void (result = r), (err) => void (failure = err));
  let state: "open" | "committed" | "aborted" = "open";
  let records = 0;

  const put = async (bytes: Uint8Array) => {
    if (state !== "open") throw new ConfigError(`The upload to ${object} is already finished`);
    await body.push(bytes, settled);
    if (failure !== undefined) throw s3Failure(failure, where);
  };
  const cancel = async () => {
    body.fail(new UploadCancelled("The run was aborted"));
    await settled;
    try {
      if (upload.uploadId && result === undefined) {
        const { AbortMultipartUploadCommand } = (await loadS3Sdk()).client;
        await client.send(
          new AbortMultipartUploadCommand({
            Bucket: config.bucket,
            Key: key,
            UploadId: upload.uploadId,
          }),
        );
      }
    } finally {
      client.destroy();
    }
  };

  return {
    async write(batch) {
      await put(await encodeBatch(encoder, batch));
      records += batchLength(batch);
    },
    async commit() {
      await put(await encoder.end());
      body.end();
      await settled;
      if (result === undefined) {
        state = "aborted";
        await cancel().catch(() => {});
        throw s3Failure(failure, where);
      }
      state = "committed";
      client.destroy();
      return {
        records,
        bytes: body.bytes,
        location: object,
        checksum: body.checksum(),
        etag: result.ETag?.replace(/^"|"$/g, ""),
      };
    },
    async abort() {
      encoder.close?.();
      if (state !== "open") return;
      state = "aborted";
      try {
        await cancel();
      } catch (err) {
        const reason = s3Failure(err, where);
        reason.message =
          `Could not cancel the unfinished upload to ${object}, so its parts stay in the bucket until removed (a lifecycle rule for incomplete multipart uploads does that): ${reason.message}`;
        throw reason;
      }
    },
  };
}
