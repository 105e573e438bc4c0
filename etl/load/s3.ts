/**
 * The S3 repository: writes the encoded output as one object in an Amazon S3 bucket or
 * S3-compatible storage (MinIO, Ceph…), streamed with a multipart upload so memory stays flat.
 * The object appears only when the run succeeds; a failed run leaves no object and no parts.
 *
 * A run in bounded steps (the run engine) cannot stream one upload across steps and processes:
 * its output is staged as a local file under the output root and uploaded when the run
 * publishes (see `_s3_staged.ts`).
 * @module
 */
import { defineLoader } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { connectS3, S3Config, storeLabel, whereOf } from "./_s3_config.ts";
import { s3Failure } from "./_s3_errors.ts";
import { expandKey, keyValues } from "./_s3_key.ts";
import { loadS3Sdk } from "./_s3_sdk.ts";
import { openS3Sink } from "./_s3_sink.ts";
import { openStagedS3Sink } from "./_s3_staged.ts";

export { S3Config } from "./_s3_config.ts";

/** The S3 repository. */
export const s3Loader = defineLoader({
  type: "s3",
  title: "Amazon S3 or compatible storage",
  description:
    "An object in an Amazon S3 bucket or S3-compatible storage such as MinIO, published only when the run succeeds",
  config: S3Config,
  secrets: ["accessKeyId", "secretAccessKey"],
  needsFormat: true,
  columnar: true,
  async test(ctx, config) {
    const client = await connectS3(ctx, config);
    try {
      const { ListObjectsV2Command } = (await loadS3Sdk()).client;
      // A one-key listing rather than HeadBucket: its errors come with a code to explain.
      await client.send(new ListObjectsV2Command({ Bucket: config.bucket, MaxKeys: 1 }), {
        abortSignal: ctx.signal,
      });
      return { message: `Bucket ${config.bucket} reachable at ${storeLabel(config)}` };
    } catch (err) {
      throw s3Failure(err, whereOf(config));
    } finally {
      client.destroy();
    }
  },
  async open(ctx, config, target, resume) {
    const format = target.format;
    if (!format) throw new ConfigError("An S3 repository needs an output format (output.format)");
    // ctx.now is the run's start in every step, so every step gets the same key.
    const key = expandKey(config.key, keyValues(ctx.ids, ctx.now, format.extension));
    if (target.steps) return openStagedS3Sink(ctx, config, key, format, target, resume);
    const client = await connectS3(ctx, config);
    return openS3Sink(client, config, key, format, target);
  },
});
