/**
 * Test helper: a real S3 server (s3rver) in this process on 127.0.0.1, on a free port, storing
 * into its own temporary folder with one empty bucket. Each test starts its own and closes it.
 *
 * s3rver 3.7.1 accepts any signature V4 from a known access key id (S3RVER / S3RVER), so a
 * wrong secret is not detected; an unknown access key id is (`InvalidAccessKeyId`). It answers
 * AbortMultipartUpload with 405 MethodNotAllowed and ListMultipartUploads with NotImplemented,
 * which is why the server records each request it answered.
 * @module
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { join } from "node:path";
import S3rver from "s3rver";

/** One request the server answered. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/bucket/key?uploadId=…`. */
  url: string;
  status: number;
}

/** An object read back from the server. */
export interface StoredObject {
  bytes: Uint8Array;
  /** Without the quotes S3 puts around it. */
  etag?: string;
  contentType?: string;
}

/** A running test S3 server. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  bucket: string;
  /** The folder s3rver stores buckets, objects and multipart parts in. */
  directory: string;
  /** The credentials s3rver knows. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Every request answered so far, in order. */
  requests: RecordedRequest[];
  /** The object under `key` read back with GetObject; undefined when there is none. */
  getObject(key: string): Promise<StoredObject | undefined>;
  /** Part files of multipart uploads that were neither completed nor aborted. */
  pendingUploadFiles(): Promise<string[]>;
  /** Stop the server and delete its folder. */
  close(): Promise<void>;
}

/** Start s3rver on loopback with one bucket (`test-bucket` unless named). */
export async function startTestS3Server(bucket = "test-bucket"): Promise<TestS3Server> {
  const directory = await Deno.makeTempDir({ prefix: "s3rver_" });
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    await Deno.remove(directory, { recursive: true });
    throw err;
  }
  const requests: RecordedRequest[] = [];
  const http = (server as unknown as { httpServer: Server }).httpServer;
  http.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    res.on("finish", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", status: res.statusCode });
    });
  });
  // s3rver's filesystem store keeps unfinished multipart uploads here, one folder per upload.
  const uploads = join(directory, bucket, "._S3rver_uploads");
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucket,
    directory,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    requests,
    async getObject(key) {
      const client = new S3Client({
        region: "us-east-1",
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await got.Body!.transformToByteArray();
        return { bytes, etag: got.ETag?.replaceAll('"', ""), contentType: got.ContentType };
      } catch (err) {
        if ((err as Error).name === "NoSuchKey") return undefined;
        throw err;
      } finally {
        client.destroy();
      }
    },
    async pendingUploadFiles() {
      const files: string[] = [];
      try {
        for await (const upload of Deno.readDir(uploads)) {
          for await (const f of Deno.readDir(join(uploads, upload.name))) {
            files.push(`${upload.name}/${f.name}`);
          }
        }
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      return files.sort();
    },
    async close() {
      // Idle keep-alive sockets of the test's clients would hold close() open.
      (http as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      await server.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
