/**
 * API authentication: a bearer token names a tenant. Until the tenancy issue builds accounts, a
 * fixed map of tokens (one token for the default tenant in production) stands behind the same
 * {@link Authenticator} interface that accounts will implement.
 * @module
 */
import { timingSafeEqual } from "../triggers/signature.ts";

/** Turns a bearer token into the tenant it belongs to, or undefined when it is not valid. */
export interface Authenticator {
  authenticate(token: string): Promise<string | undefined>;
}

const encoder = new TextEncoder();
const digest = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/**
 * An authenticator over a fixed token → tenant map. Tokens are compared as SHA-256 digests in
 * constant time, against every entry, so timing tells nothing about which token came close.
 */
export function staticTokens(tokens: Record<string, string>): Authenticator {
  const entries = Object.entries(tokens);
  for (const [token, tenant] of entries) {
    if (token.length < 16) {
      throw new Error(`The API token for tenant "${tenant}" is shorter than 16 characters`);
    }
  }
  const hashed = Promise.all(
    entries.map(async ([t, tenant]) => ({ hash: await digest(t), tenant })),
  );
  return {
    async authenticate(token: string): Promise<string | undefined> {
      const given = await digest(token);
      let found: string | undefined;
      for (const entry of await hashed) {
        if (timingSafeEqual(entry.hash, given) && found === undefined) found = entry.tenant;
      }
      return found;
    },
  };
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
