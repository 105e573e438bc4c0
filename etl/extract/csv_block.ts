/**
 * An RFC 4180 record scanner over UTF-8 bytes, for the columnar path: it finds each record's
 * fields as byte ranges and never makes a string. It reads exactly as {@link CsvParser} does
 * (the same records, lines, empty lines skipped, ragged and malformed records with the same
 * reasons); `csv_block_test.ts` runs both on the same inputs.
 * @module
 */

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** A record that could not be taken: its first line and the reason. */
export interface ScanRejection {
  line: number;
  reason: string;
}

/**
 * Finds records in bytes. After `scan`, the well-formed records are in `starts`, `ends` and
 * `lines` (record `r`, field `f` at `r * width + f`), valid until the next `scan`. Fields with
 * doubled quotes are unescaped in place, so the bytes must be the caller's own.
 *
 * @example
 * ```ts
 * const scanner = new CsvBlockScanner(",", 2, 100);
 * const bytes = new TextEncoder().encode('a,"b ""c"""\n');
 * scanner.scan(bytes, 0, bytes.length, true, 2); // bytes.length
 * scanner.rows; // 1; field 1 is `b "c"`
 * ```
 */
export class CsvBlockScanner {
  readonly width: number;
  starts: Int32Array;
  ends: Int32Array;
  lines: Int32Array;
  /** Well-formed records found by the last scan. */
  rows = 0;
  /** Records rejected by the last scan. */
  rejected: ScanRejection[] = [];
  /** Line of the next record, after the last scan. */
  line = 1;
  readonly #delim: number;
  #escaped: number[] = [];

  constructor(delimiter: string, width: number, capacity: number) {
    this.#delim = delimiter.charCodeAt(0);
    this.width = width;
    this.starts = new Int32Array(capacity * width);
    this.ends = new Int32Array(capacity * width);
    this.lines = new Int32Array(capacity);
  }

  /**
   * Scan whole records of `bytes[from, to)`, at most `limit` of them (taken and rejected),
   * starting on line `line`. Returns the index after the last whole record: a record cut off by
   * `to` is left for the next call unless `final`.
   */
  scan(
    bytes: Uint8Array,
    from: number,
    to: number,
    final: boolean,
    line: number,
    limit = Infinity,
  ): number {
    this.rows = 0;
    this.rejected = [];
    let pos = from;
    while (pos < to && this.rows + this.rejected.length < limit) {
      const c = bytes[pos];
      // An empty line (or one holding only CR) is skipped but counted.
      if (c === LF) {
        pos++;
        line++;
        continue;
      }
      if (c === CR && (pos + 1 < to ? bytes[pos + 1] === LF : final)) {
        pos = pos + 1 < to ? pos + 2 : to;
        line++;
        continue;
      }
      const end = this.#record(bytes, pos, to, final, line);
      if (end < 0) break;
      line = this.line;
      pos = end;
    }
    this.line = line;
    return pos;
  }

  /** One record from `start`: its end, or -1 when `to` cuts it off (and not `final`). */
  #record(b: Uint8Array, start: number, to: number, final: boolean, line: number): number {
    const w = this.width;
    const d = this.#delim;
    if ((this.rows + 1) * w > this.starts.length) this.#grow();
    const base = this.rows * w;
    const starts = this.starts, ends = this.ends;
    const escaped = this.#escaped;
    escaped.length = 0;
    let f = 0;
    let lfs = 0;
    let error: string | undefined;
    let end: number;
    let pos = start;
    while (true) {
      if (pos >= to || b[pos] !== QUOTE) {
        let i = pos;
        while (i < to) {
          const x = b[i];
          if (x === d || x === LF) break;
          i++;
        }
        if (i < to && b[i] === d) {
          if (f < w) {
            starts[base + f] = pos;
            ends[base + f] = i;
          }
          f++;
          pos = i + 1;
          continue;
        }
        if (i >= to && !final) return -1;
        const e = i > pos && b[i - 1] === CR ? i - 1 : i;
        if (f < w) {
          starts[base + f] = pos;
          ends[base + f] = e;
        }
        f++;
        end = i < to ? i + 1 : to;
        break;
      }
      // A quoted field: find its closing quote, stepping over doubled ones.
      let q = pos + 1;
      let closed = -1;
      let doubled = false;
      while (q < to) {
        const x = b[q];
        if (x === QUOTE) {
          if (q + 1 >= to && !final) return -1;
          if (q + 1 < to && b[q + 1] === QUOTE) {
            doubled = true;
            q += 2;
            continue;
          }
          closed = q;
          break;
        }
        if (x === LF) lfs++;
        q++;
      }
      if (closed < 0) {
        if (!final) return -1;
        error = `quoted field ${f + 1} opened on line ${line} is never closed`;
        // Its last line break, if it ends with one, is the record's own: not one more line.
        if (lfs > 0 && b[to - 1] === LF) lfs--;
        if (f < w) {
          starts[base + f] = pos + 1;
          ends[base + f] = to;
          if (doubled) escaped.push(f);
        }
        f++;
        end = to;
        break;
      }
      if (f < w) {
        starts[base + f] = pos + 1;
        ends[base + f] = closed;
        if (doubled) escaped.push(f);
      }
      f++;
      const i = closed + 1;
      if (i >= to) {
        if (!final) return -1;
        end = to;
        break;
      }
      const x = b[i];
      if (x === d) {
        pos = i + 1;
        continue;
      }
      if (x === LF) {
        end = i + 1;
        break;
      }
      if (x === CR) {
        if (i + 1 >= to && !final) return -1;
        if (i + 1 < to && b[i + 1] === LF) {
          end = i + 2;
          break;
        }
      }
      error = `field ${f} has text after its closing quote`;
      const nl = b.indexOf(LF, i);
      if (nl === -1 || nl >= to) {
        if (!final) return -1;
        end = to;
      } else end = nl + 1;
      break;
    }
    // Unescaped only now: a record cut off above is read again, bytes unchanged, next time.
    for (const k of escaped) ends[base + k] = unescape(b, starts[base + k], ends[base + k]);
    this.line = line + 1 + lfs;
    if (error !== undefined) this.rejected.push({ line, reason: `line ${line}: ${error}` });
    else if (f !== w) {
      this.rejected.push({ line, reason: `line ${line} has ${f} fields, header has ${w}` });
    } else {
      this.lines[this.rows] = line;
      this.rows++;
    }
    return end;
  }

  #grow(): void {
    const grow = <T extends Int32Array>(a: T): T => {
      const next = new Int32Array(a.length * 2) as T;
      next.set(a);
      return next;
    };
    this.starts = grow(this.starts);
    this.ends = grow(this.ends);
    this.lines = grow(this.lines);
  }
}

/** Doubled quotes in `b[from, to)` made single, in place; returns the new end. */
function unescape(b: Uint8Array, from: number, to: number): number {
  let w = from;
  for (let r = from; r < to; r++) {
    const x = b[r];
    b[w++] = x;
    if (x === QUOTE && r + 1 < to && b[r + 1] === QUOTE) r++;
  }
  return w;
}
