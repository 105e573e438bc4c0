/**
 * Run ids that sort by creation time (UUID version 7: 48 bits of Unix milliseconds, then random
 * bits), so listing a tenant's runs newest first is one reverse KV range read.
 * @module
 */

/** A new UUIDv7: time-ordered to the millisecond, 74 random bits after that. */
export function newRunId(now: Date = new Date()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = now.getTime();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
