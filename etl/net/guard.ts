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

/** The eight 16-bit groups of a valid IPv6 address (zone dropped, dotted IPv4 tail expanded). */
function v6Groups(ip: string): number[] {
  let text = ip.toLowerCase().replace(/%.*$/, "");
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const n = v4Number(dotted[2]);
    text = `${dotted[1]}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : Math.max(0, 8 - left.length - right.length);
  return [...left, ...Array(fill).fill("0"), ...right].map((h) => parseInt(h, 16));
}

function isBlockedV6(ip: string): boolean {
  const g = v6Groups(ip);
  if (g.length !== 8 || g.some(Number.isNaN)) return true;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const v4 = (i: number) => `${g[i] >> 8}.${g[i] & 255}.${g[i + 1] >> 8}.${g[i + 1] & 255}`;
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1, and v4 can hide in other v6
  // forms too: check the embedded address of mapped, compatible, NAT64 and 6to4 forms.
  if (zeros(0, 7) && g[7] <= 1) return true; // :: unspecified, ::1 loopback
  if (zeros(0, 5) && g[5] === 0xffff) return isBlockedV4(v4(6)); // ::ffff:0:0/96 mapped
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return isBlockedV4(v4(6)); // SIIT
  if (zeros(0, 6)) return isBlockedV4(v4(6)); // ::/96 IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b) return zeros(2, 6) ? isBlockedV4(v4(6)) : true; // NAT64
  if (g[0] === 0x2002) return isBlockedV4(v4(1)); // 6to4
  if (g[0] === 0x2001 && (g[1] === 0 || g[1] === 0xdb8)) return true; // Teredo, documentation
  if (g[0] === 0x100 && zeros(1, 4)) return true; // 100::/64 discard
  // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast.
  return (g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xff80) === 0xfe80 || (g[0] & 0xff00) === 0xff00;
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
