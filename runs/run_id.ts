/**
 * Run ids that sort by creation time (UUID version 7: 48 bits of Unix milliseconds, a 12-bit
 * counter, then random bits), so listing a tenant's runs newest first is one reverse KV range
 * read. Ids made by one process are strictly increasing even within a millisecond (RFC 9562
 * method 1: the counter in `rand_a` goes up, and moves the time on when it runs out).
 * @module
 */

let lastMs = -1;
let counter = 0;

/** A new UUIDv7, later than every id this process made before. */
export function newRunId(now: Date = new Date()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = now.getTime();
  // A later millisecond, or a clock far from the last one (a test's injected date, a clock
  // reset), starts afresh; the same or a slightly earlier millisecond counts up.
  if (ms > lastMs || ms < lastMs - 1_000) {
    // The counter starts low, leaving room to count up.
    counter = bytes[6] & 0x07;
  } else {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      ms++;
      counter = 0;
    }
  }
  lastMs = ms;
  for (let i = 5, t = ms; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
