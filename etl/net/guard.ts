/**
 * Outbound connections to user-supplied hosts (REST APIs, databases, S3 endpoints, webhooks)
 * must not reach our own network: private, loopback, link-local and other special ranges are
 * refused after DNS resolution unless the deployment allows them.
 * @module
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ConfigError, RetriableError } from "../errors.ts";

const V4_BLOCKED: [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local (cloud metadata)
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 protocol assignments
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, broadcast
];

function v4Number(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function isBlockedV4(ip: string): boolean {
  const n = v4Number(ip);
  return V4_BLOCKED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return n >= base && n < base + size;
  });
}

function isBlockedV6(ip: string): boolean {
  const low = ip.toLowerCase();
  if (low === "::" || low === "::1") return true;
  const mapped = low.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped) return isBlockedV4(mapped[1]);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return /^f[cd]/.test(low) || /^fe[89ab]/.test(low) || /^ff/.test(low);
}

/** Whether an IP address (v4 or v6) is private, loopback, link-local or otherwise special. */
export function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) return isBlockedV4(ip);
  if (kind === 6) return isBlockedV6(ip);
  return true;
}

/**
 * Resolve `host` and throw a ConfigError when any of its addresses is private and the
 * deployment does not allow that. Returns the addresses it checked.
 *
 * @example
 * ```ts
 * await assertPublicHost("api.example.org", false); // ["93.184.215.14"]
 * await assertPublicHost("127.0.0.1", false); // throws: refused, private address
 * ```
 */
export async function assertPublicHost(host: string, allowPrivate: boolean): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(bare)) {
    addresses = [bare];
  } else {
    try {
      addresses = (await lookup(bare, { all: true })).map((a) => a.address);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ENOTFOUND" || code === "ENODATA") {
        throw new ConfigError(`The host "${host}" does not exist (DNS found no address for it)`);
      }
      throw new RetriableError(`Could not look up the host "${host}": ${code ?? String(err)}`);
    }
  }
  if (!allowPrivate) {
    const bad = addresses.find(isPrivateAddress);
    if (bad !== undefined) {
      throw new ConfigError(
        `The host "${host}" resolves to ${bad}, a private or local network address, which this deployment does not allow; use a public host name`,
      );
    }
  }
  return addresses;
}
