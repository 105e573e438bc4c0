/**
 * Which URLs an outbound request may go to: the scheme, the address's user info, and the
 * private-network policy applied to every address the host resolves to.
 * @module
 */
import { isIP } from "node:net";
import { ConfigError } from "../errors.ts";
import { assertPublicHost, isPrivateAddress } from "./guard.ts";

/**
 * Throw a ConfigError unless `url` may be requested: http or https, no credentials in the
 * address, and a host whose addresses the policy allows (see the module doc of http.ts).
 */
export async function checkTarget(
  url: URL,
  allowPrivateNetwork: boolean,
  allowLoopback: boolean,
): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`Only http and https addresses can be read, not "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError(
      "Put the user name and password in the sign-in fields (auth: basic), not in the address",
    );
  }
  if (allowPrivateNetwork || !allowLoopback) {
    await assertPublicHost(url.hostname, allowPrivateNetwork);
    return;
  }
  const bad = (await assertPublicHost(url.hostname, true)).find((a) =>
    isPrivateAddress(a) && !isLoopback(a)
  );
  if (bad !== undefined) {
    throw new ConfigError(
      `The host "${url.hostname}" resolves to ${bad}, a private or local network address, which this deployment does not allow; use a public host name`,
    );
  }
}

function isLoopback(ip: string): boolean {
  if (isIP(ip) === 4) return ip.startsWith("127.");
  const low = ip.toLowerCase();
  return low === "::1" || /^::ffff:127\./.test(low) || /^::ffff:7f[0-9a-f]{2}:/.test(low);
}
