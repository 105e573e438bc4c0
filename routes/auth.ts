/**
 * API authentication: a bearer token names a principal (tenant and role). Tenants' own tokens
 * live in KV (`api_tokens.ts`); a fixed map of operator tokens (`API_TOKEN`, tests) stands
 * behind the same {@link Authenticator} interface with the owner role.
 * @module
 */
import { timingSafeEqual } from "../triggers/signature.ts";
import type { Principal } from "./deps.ts";

/** Turns a bearer token into who it acts as, or undefined when it is not valid. */
export interface Authenticator {
  authenticate(token: string): Promise<Principal | undefined>;
}

/** Try each authenticator in turn; the first that knows the token wins. */
export function anyOf(...all: Authenticator[]): Authenticator {
  return {
    async authenticate(token) {
      for (const auth of all) {
        const found = await auth.authenticate(token);
        if (found) return found;
      }
      return undefined;
    },
  };
}

const encoder = new TextEncoder();
const digest = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/**
 * An authenticator over a fixed token → tenant map; each token acts as the tenant's owner. Tokens are compared as SHA-256 digests in
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
    async authenticate(token: string): Promise<Principal | undefined> {
      const given = await digest(token);
      let found: string | undefined;
      for (const entry of await hashed) {
        if (timingSafeEqual(entry.hash, given) && found === undefined) found = entry.tenant;
      }
      return found === undefined
        ? undefined
        : { tenant: found, role: "owner", kind: "token", label: "operator token" };
    },
  };
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}
