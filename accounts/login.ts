/**
 * Sign-in: check an address and password, with failures counted per address and per client IP
 * in KV (`["login_failures", "email" | "ip", value]`, expiring with their window). Unknown
 * address and wrong password give the same {@link LoginError}, after a comparable amount of
 * work; over a limit gives a {@link LoginRateLimitedError} and the password is not checked.
 * @module
 */
import { hashPassword, needsRehash, verifyPassword } from "./password.ts";
import { findUserRecordByEmail, normalizeEmail, toUser, type User } from "./store.ts";

/** The one message for an unknown address and a wrong password alike. */
export const LOGIN_FAILED = "The email or password is not right";

/** Failure limits: at most `perEmail` / `perIp` failures within `windowMs`. */
export interface LoginLimits {
  perEmail: number;
  perIp: number;
  windowMs: number;
}

/** 5 failures per address and 20 per client address in 15 minutes. */
export const LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({
  perEmail: 5,
  perIp: 20,
  windowMs: 15 * 60 * 1000,
});

/** The address or password is wrong (the message never says which). */
export class LoginError extends Error {
  override name = "LoginError";
  constructor() {
    super(LOGIN_FAILED);
  }
}

/** Too many recent failures for this address or client; try again after `retryAfterMs`. */
export class LoginRateLimitedError extends Error {
  override name = "LoginRateLimitedError";
  /** Milliseconds until the window ends. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
    super(`Too many sign-in attempts; wait ${minutes} minute${minutes === 1 ? "" : "s"}`);
    this.retryAfterMs = retryAfterMs;
  }
}

interface Failures {
  count: number;
  /** Epoch milliseconds when the window ends. */
  until: number;
}

const failureKey = (kind: "email" | "ip", value: string): Deno.KvKey => [
  "login_failures",
  kind,
  value.slice(0, 320),
];

/**
 * A hash (of a random, discarded password, with the current parameters) to verify against for
 * unknown addresses, so they take as long as known ones.
 */
const DUMMY_HASH =
  "scrypt$32768$8$1$xmFSrLQAuSrJH1SdN0tn9g==$sOIT5NSBHoa2PLL3lf0TCsn0tf5ruXlVBitY3iTI3Eo=";

function active(f: Failures | null, now: number): Failures | undefined {
  return f && now < f.until ? f : undefined;
}

async function recordFailure(kv: Deno.Kv, keys: Deno.KvKey[], now: number, windowMs: number) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entries = await kv.getMany<Failures[]>(keys);
    const op = kv.atomic().check(...entries);
    for (const e of entries) {
      const current = active(e.value, now);
      const next = current
        ? { count: current.count + 1, until: current.until }
        : { count: 1, until: now + windowMs };
      op.set(e.key, next, { expireIn: Math.max(1, next.until - now) });
    }
    if ((await op.commit()).ok) return;
  }
}

/**
 * The user with this address and password. Throws {@link LoginRateLimitedError} (without
 * checking the password) when the address or `ip` is over its limit, else {@link LoginError}
 * for an unknown address or a wrong password, counting the failure. Success clears the
 * address's failures (not the IP's) and upgrades a hash made with older parameters.
 *
 * @example
 * ```ts
 * const user = await verifyLogin(kv, "ann@clinic-a.example", password, { ip: "203.0.113.9" });
 * ```
 */
export async function verifyLogin(
  kv: Deno.Kv,
  email: string,
  password: string,
  options: { ip: string; now?: Date; limits?: LoginLimits },
): Promise<User> {
  const now = (options.now ?? new Date()).getTime();
  const limits = options.limits ?? LOGIN_LIMITS;
  const emailKey = failureKey("email", normalizeEmail(String(email)));
  const ipKey = failureKey("ip", String(options.ip));
  const [byEmail, byIp] = await kv.getMany<Failures[]>([emailKey, ipKey]);
  const waits = [
    [active(byEmail.value, now), limits.perEmail],
    [active(byIp.value, now), limits.perIp],
  ] as const;
  const over = waits.filter(([f, limit]) => f && f.count >= limit).map(([f]) => f!.until - now);
  if (over.length > 0) throw new LoginRateLimitedError(Math.max(...over));

  const entry = await findUserRecordByEmail(kv, String(email));
  const stored = entry?.value.passwordHash ?? DUMMY_HASH;
  const ok = await verifyPassword(String(password), stored);
  if (!entry || !ok) {
    await recordFailure(kv, [emailKey, ipKey], now, limits.windowMs);
    throw new LoginError();
  }
  await kv.delete(emailKey);
  if (needsRehash(entry.value.passwordHash)) {
    const passwordHash = await hashPassword(String(password));
    // Best effort: a concurrent change to the user wins.
    await kv.atomic().check(entry).set(entry.key, { ...entry.value, passwordHash }).commit();
  }
  return toUser(entry.value);
}
