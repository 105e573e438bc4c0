// Failures s3rver cannot produce (it does not check signature V4, permissions or regions),
// built as the SDK throws them: the message a user reads and what the run does next.
import { S3ServiceException } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { ConfigError, RetriableError } from "../errors.ts";
import { s3Failure, type S3Where } from "./_s3_errors.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const where: S3Where = {
  bucket: "clinic-exports",
  object: "s3://clinic-exports/t/p/r/2026-11-26.ndjson",
  at: "AWS region eu-west-1",
  secrets: [SECRET, "AKIAIOSFODNN7EXAMPLE"],
};

function sdkError(name: string, status: number, message = "", extra: object = {}) {
  return Object.assign(
    new S3ServiceException({
      name,
      $fault: status >= 500 ? "server" : "client",
      message,
      $metadata: { httpStatusCode: status },
    }),
    extra,
  );
}

Deno.test("s3Failure asks to check the keys when the signature does not match", () => {
  const err = s3Failure(
    sdkError("SignatureDoesNotMatch", 403, `signed with ${SECRET} by AKIAIOSFODNN7EXAMPLE`),
    where,
  );
  assert.ok(err instanceof ConfigError);
  assert.equal(
    err.message,
    "The storage at AWS region eu-west-1 did not accept the credentials (SignatureDoesNotMatch): check the access key and secret",
  );
});

Deno.test("s3Failure says what an access key without permission needs", () => {
  const err = s3Failure(sdkError("AccessDenied", 403, "Access Denied"), where);
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /^Access to the bucket "clinic-exports" was denied \(AccessDenied\)/);
});

Deno.test("s3Failure names the bucket's region when it is elsewhere", () => {
  const err = s3Failure(
    sdkError("AuthorizationHeaderMalformed", 400, "region is wrong", { Region: "us-west-2" }),
    where,
  );
  assert.ok(err instanceof ConfigError);
  assert.equal(
    err.message,
    'The bucket "clinic-exports" is in another region than AWS region eu-west-1 (it is in us-west-2): set the region to the bucket\'s region',
  );
});

Deno.test("s3Failure makes the store's passing faults retriable", () => {
  for (const e of [sdkError("SlowDown", 503), sdkError("InternalError", 500)]) {
    const err = s3Failure(e, where);
    assert.ok(err instanceof RetriableError);
    assert.match(err.message, /had a temporary problem .*try again later$/);
  }
});

Deno.test("s3Failure never repeats a secret the store echoes back", () => {
  const err = s3Failure(
    sdkError("InvalidArgument", 400, `bad header x-amz-foo=${SECRET} for AKIAIOSFODNN7EXAMPLE`),
    where,
  );
  assert.ok(err instanceof ConfigError);
  assert.equal(
    err.message,
    "The storage at AWS region eu-west-1 refused the request for s3://clinic-exports/t/p/r/2026-11-26.ndjson (InvalidArgument: bad header x-amz-foo=*** for ***)",
  );
});
