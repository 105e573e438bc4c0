/**
 * Turns what the AWS SDK throws into one readable sentence for a clinic's data manager:
 * ConfigError when the settings must change (bucket, keys, permissions, region), RetriableError
 * for network failures and the store's passing faults. Messages never carry the access key or
 * secret, even when the store echoes them back.
 * @module
 */
import { ConfigError, FatalRunError, RetriableError } from "../errors.ts";

/** What the message may name: the bucket, the object and where the store is. */
export interface S3Where {
  bucket: string;
  /** `s3://bucket/key` when an object is involved. */
  object?: string;
  /** `host:port` of a custom endpoint, or `AWS region eu-west-1`. */
  at: string;
  /** Values that must never appear in a message. */
  secrets: string[];
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
  Region?: string;
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "timed out",
  TimeoutError: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EAI_AGAIN: "name lookup failed",
  ENOTFOUND: "host name not found",
};

const CREDENTIALS = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidToken",
  "ExpiredToken",
  "InvalidSecurity",
]);
const REGION = new Set(["PermanentRedirect", "AuthorizationHeaderMalformed", "IncorrectEndpoint"]);
const PASSING = new Set(["InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"]);

/** The error to throw for an SDK failure while talking to the store described by `where`. */
export function s3Failure(err: unknown, where: S3Where): Error {
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as SdkError;
  const name = e.name ?? "Error";
  const code = e.code ?? name;
  const status = e.$metadata?.httpStatusCode;
  const bucket = `"${where.bucket}"`;
  const clean = (text: string) => redact(text, where.secrets);
  if (NETWORK[code] || NETWORK[name]) {
    const why = NETWORK[code] ?? NETWORK[name];
    const fix = code === "ENOTFOUND"
      ? "check the endpoint host name"
      : "check the endpoint address and port, and that the storage server is running and reachable from here";
    return new RetriableError(clean(`Could not reach the storage at ${where.at} (${why}): ${fix}`));
  }
  if (name === "NoSuchBucket" || (name === "NotFound" && !where.object)) {
    return new ConfigError(clean(
      `The bucket ${bucket} does not exist at ${where.at}: check the bucket name${
        where.at.startsWith("AWS") ? " and region" : ""
      }`,
    ));
  }
  if (CREDENTIALS.has(name)) {
    return new ConfigError(clean(
      `The storage at ${where.at} did not accept the credentials (${name}): check the access key and secret`,
    ));
  }
  if (name === "AccessDenied" || name === "Forbidden" || status === 403) {
    return new ConfigError(clean(
      `Access to the bucket ${bucket} was denied (${name}): the access key needs permission to list the bucket (Test connection), write objects and abort multipart uploads`,
    ));
  }
  if (REGION.has(name) || status === 301) {
    const region = e.Region ?? e.$response?.headers?.["x-amz-bucket-region"];
    return new ConfigError(clean(
      `The bucket ${bucket} is in another region than ${where.at}${
        region ? ` (it is in ${region})` : ""
      }: set the region to the bucket's region`,
    ));
  }
  if (PASSING.has(name) || (status !== undefined && status >= 500)) {
    return new RetriableError(clean(
      `The storage at ${where.at} had a temporary problem (${name}${
        status ? `, HTTP ${status}` : ""
      }): try again later`,
    ));
  }
  const detail = (e.message ?? "").split("\n")[0].slice(0, 200);
  const what = where.object ?? `the bucket ${bucket}`;
  if (status !== undefined && status >= 400) {
    return new ConfigError(clean(
      `The storage at ${where.at} refused the request for ${what} (${name}${
        detail && detail !== name ? `: ${detail}` : ""
      })`,
    ));
  }
  return new FatalRunError(clean(`Writing ${what} failed: ${detail || name}`));
}

/** `text` with every secret value replaced by `***`. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.replaceAll(s, "***");
  return out;
}
