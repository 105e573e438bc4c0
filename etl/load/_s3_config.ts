/**
 * Config of the S3 repository and the client built from it: region or custom endpoint
 * (MinIO, Ceph and other S3-compatible stores), checked against the private-network policy
 * before anything connects.
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { assertPublicHost } from "../net/guard.ts";
import type { RunContext } from "../types.ts";
import { KEY_PLACEHOLDERS, unknownPlaceholders } from "./_s3_key.ts";
import type { S3Where } from "./_s3_errors.ts";
import { loadS3Sdk } from "./_s3_sdk.ts";

const endpointUrl = z.string().refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), {
  message: "must be an http:// or https:// address, e.g. https://minio.example.org:9000",
});

/** Config of the S3 repository. `accessKeyId` and `secretAccessKey` are secrets. */
export const S3Config = z.object({
  region: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-west-1")
    .default("us-east-1").describe("Region of the bucket, e.g. eu-west-1"),
  bucket: z.string().regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/,
    "must be a bucket name (letters, digits, dots, hyphens)",
  ).describe("Bucket to write to"),
  key: z.string().min(1).default("{tenant}/{pipeline}/{run}/{date}.{ext}").superRefine(
    (k, check) => {
      const bad = unknownPlaceholders(k);
      if (bad.length === 0) return;
      const known = KEY_PLACEHOLDERS.map((p) => `{${p}}`).join(", ");
      check.addIssue({
        code: "custom",
        message: `unknown placeholders ${bad.join(", ")}; use only ${known}`,
      });
    },
  ).describe(
    "Object key; {tenant}, {pipeline}, {run}, {date} (YYYY-MM-DD) and {ext} are filled in per run",
  ),
  endpoint: endpointUrl.optional().describe(
    "Address of S3-compatible storage such as MinIO (leave empty for Amazon S3)",
  ),
  forcePathStyle: z.boolean().default(false).describe(
    "Put the bucket in the path (host/bucket/key), as MinIO and most S3-compatible stores need",
  ),
  serverSideEncryption: z.enum(["none", "AES256", "aws:kms"]).default("none").describe(
    "Encryption at rest by the store: none, AES256 (S3-managed keys) or aws:kms (a KMS key)",
  ),
  kmsKeyId: z.string().min(1).optional().describe(
    "KMS key id or ARN for aws:kms (default: the account's S3 key)",
  ),
  accessKeyId: z.string().min(1).describe("Access key id"),
  secretAccessKey: z.string().min(1).describe("Secret access key"),
  partSizeMB: z.number().int().min(5).max(512).default(8).describe(
    "Upload part size in MB (5 or more); memory use is about three parts",
  ),
  connectTimeoutSeconds: z.number().int().min(1).max(60).default(5)
    .describe("Give up connecting after this many seconds"),
}).refine((c) => c.kmsKeyId === undefined || c.serverSideEncryption === "aws:kms", {
  message: "a KMS key is only used with serverSideEncryption aws:kms",
  path: ["kmsKeyId"],
});

/** A parsed S3 config. */
export type S3Config = z.output<typeof S3Config>;

/** `host:port` of the custom endpoint, or `AWS region <region>`. */
export function storeLabel(config: S3Config): string {
  if (!config.endpoint) return `AWS region ${config.region}`;
  const url = new URL(config.endpoint);
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

/** What error messages may name about this config (and the secrets they must not). */
export function whereOf(config: S3Config, object?: string): S3Where {
  return {
    bucket: config.bucket,
    object,
    at: storeLabel(config),
    secrets: [config.secretAccessKey, config.accessKeyId],
  };
}

/**
 * A client for `config`, after checking a custom endpoint's host against the deployment's
 * private-network policy. The caller destroys it. Loads the AWS SDK (client and lib-storage)
 * first, so code holding the client can use `loadedS3Sdk()`.
 */
export async function connectS3(ctx: RunContext, config: S3Config): Promise<S3Client> {
  if (config.endpoint) {
    await assertPublicHost(new URL(config.endpoint).hostname, ctx.allowPrivateNetwork);
  }
  const { S3Client } = (await loadS3Sdk()).client;
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    // Explicit keys only: a tenant must never borrow the deployment's own AWS identity.
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: config.connectTimeoutSeconds * 1000,
      socketTimeout: 120_000,
    },
    // Many S3-compatible stores reject the CRC32 headers the SDK adds by default.
    ...(config.endpoint
      ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }
      : {}),
  });
}
