/**
 * Replays and retries of signed webhook requests, decided atomically in Deno KV: a copy of a
 * request seen before must not start a second run, and a retry carrying the same
 * `Idempotency-Key` gets the run its first copy started. Keys: `["webhook_seen", pipeline,
 * signature]` until the request would be stale anyway, `["webhook_idempotency", pipeline, key]`
 * for the key's time to live.
 * @module
 */
import { ConfigError, RetriableError } from "../etl/errors.ts";
import { retryLocked } from "./_kv.ts";

/**
 * Stops a valid request replayed inside the acceptance window from starting a second run: the
 * first sighting of a signature is recorded in KV until the request would be stale anyway.
 */
export const ReplayGuard = {
  /**
   * Record `signature` for `pipelineId`: `true` when this call saw it first (go on), `false`
   * for a replay. Atomic, so of two simultaneous calls exactly one gets `true`.
   *
   * @example
   * ```ts
   * const check = await verifyWebhook(secret, req.headers, body);
   * if (!check.ok || !await ReplayGuard.seen(kv, id, check.signature, check.expiresAt)) return unauthorized();
   * ```
   */
  async seen(
    kv: Deno.Kv,
    pipelineId: string,
    signature: string,
    expiresAt: Date,
    now: Date = new Date(),
  ): Promise<boolean> {
    const key = ["webhook_seen", pipelineId, signature];
    // A floor of one minute: KV expiry is coarse, and keeping a record longer only refuses
    // requests that are stale already.
    const expireIn = Math.max(60_000, expiresAt.getTime() - now.getTime());
    const nonce = crypto.randomUUID();
    return await retryLocked(async () => {
      const result = await kv.atomic().check({ key, versionstamp: null })
        .set(key, { nonce, at: now.toISOString() }, { expireIn }).commit();
      if (result.ok) return true;
      // A commit reported as failed may still have applied: our own record means we were first.
      return (await kv.get<{ nonce: string }>(key)).value?.nonce === nonce;
    });
  },
};

/** The outcome of {@link claimIdempotencyKey}. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; runId: string };

/** Longest `Idempotency-Key` accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * Check an `Idempotency-Key` header value: 1–200 printable ASCII characters. Throws a
 * ConfigError whose message the route can answer with (HTTP 400).
 */
export function validateIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ConfigError(
      `The Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long, but it has ${key.length}; send a shorter unique value such as a UUID`,
    );
  }
  const bad = [...key].findIndex((c) => c < " " || c > "~");
  if (bad >= 0) {
    throw new ConfigError(
      `The Idempotency-Key header may hold only printable ASCII characters, but character ${
        bad + 1
      } is not; send a value such as a UUID`,
    );
  }
}

/**
 * Bind `key` to `runId` for `pipelineId` for `ttlMs`, unless a request with the same key came
 * first: then answer that request's run id so the caller returns the existing run. Atomic, so
 * of two concurrent claims exactly one is claimed and the other gets the first's run id.
 * Claim before creating the run, with the run id it will have.
 */
export async function claimIdempotencyKey(
  kv: Deno.Kv,
  pipelineId: string,
  key: string,
  runId: string,
  ttlMs: number,
): Promise<IdempotencyClaim> {
  validateIdempotencyKey(key);
  const kvKey = ["webhook_idempotency", pipelineId, key];
  // A lost race re-reads and then sees the winner's record; deletion by expiry between the two
  // steps is the only reason to go round again, so a few rounds are plenty.
  for (let round = 0; round < 5; round++) {
    const outcome = await retryLocked(async (): Promise<IdempotencyClaim | undefined> => {
      const existing = await kv.get<{ runId: string }>(kvKey);
      if (existing.value !== null) {
        // Our own record (a retried commit that had applied) is still our claim.
        if (existing.value.runId === runId) return { claimed: true };
        return { claimed: false, runId: existing.value.runId };
      }
      const result = await kv.atomic().check(existing)
        .set(kvKey, { runId, at: new Date().toISOString() }, { expireIn: ttlMs }).commit();
      return result.ok ? { claimed: true } : undefined;
    });
    if (outcome !== undefined) return outcome;
  }
  throw new RetriableError("Could not record the Idempotency-Key; send the request again");
}

/** What the webhook route does with a verified request, from {@link admitWebhook}. */
export type WebhookAdmission =
  | { action: "start" }
  | { action: "existing"; runId: string }
  | { action: "replay" };

/**
 * Replay guard and `Idempotency-Key` in one atomic decision for a verified request: `start`
 * (records both; create the run with `runId`), `existing` (the key was used before: answer with
 * that run) or `replay` (a copy of a request already seen: answer 401). A client retrying the
 * same bytes with its key gets its run back, while a captured request replayed under a new key is
 * still a replay, because the key is not covered by the signature.
 */
export async function admitWebhook(
  kv: Deno.Kv,
  pipelineId: string,
  verified: { signature: string; expiresAt: Date },
  idempotencyKey: string | undefined,
  runId: string,
  { ttlMs = 86_400_000, now = new Date() }: { ttlMs?: number; now?: Date } = {},
): Promise<WebhookAdmission> {
  if (idempotencyKey !== undefined) validateIdempotencyKey(idempotencyKey);
  const seenKey = ["webhook_seen", pipelineId, verified.signature];
  const idemKey = ["webhook_idempotency", pipelineId, idempotencyKey ?? ""];
  const expireIn = Math.max(60_000, verified.expiresAt.getTime() - now.getTime());
  for (let round = 0; round < 5; round++) {
    const outcome = await retryLocked(async (): Promise<WebhookAdmission | undefined> => {
      const [seen, idem] = await kv.getMany<[{ runId?: string }, { runId: string }]>([
        seenKey,
        idemKey,
      ]);
      if (idempotencyKey !== undefined && idem.value !== null) {
        return idem.value.runId === runId
          ? { action: "start" }
          : { action: "existing", runId: idem.value.runId };
      }
      if (seen.value !== null) {
        return seen.value.runId === runId ? { action: "start" } : { action: "replay" };
      }
      const op = kv.atomic().check(seen)
        .set(seenKey, { runId, at: now.toISOString() }, { expireIn });
      if (idempotencyKey !== undefined) {
        op.check(idem).set(idemKey, { runId, at: now.toISOString() }, { expireIn: ttlMs });
      }
      return (await op.commit()).ok ? { action: "start" } : undefined;
    });
    if (outcome !== undefined) return outcome;
  }
  throw new RetriableError("Could not record the webhook request; send it again");
}
