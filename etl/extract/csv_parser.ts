/**
 * An RFC 4180 record parser over text pieces that each end at a line break. Lines without a
 * quote take a fast path (`split`); quoted fields may hold delimiters, quotes and line breaks.
 * @module
 */

/** One parsed record, or the reason it could not be parsed. */
export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  /** Set when the record is malformed; `fields` is then what could be read. */
  error?: string;
  /**
   * Where the record ends (after its line break) as a character index into the text given
   * to `push`, counted from the start of that text: a resume point. Negative never: a record
   * is returned by the push that completes it.
   */
  end: number;
  /** Line where the next record starts. */
  next: number;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Incremental CSV parser. Feed it pieces of text that end at a line break; it returns the
 * complete records and keeps an unfinished quoted record for the next piece.
 *
 * @example
 * ```ts
 * const parser = new CsvParser(",", 2);
 * parser.push('a,"b\n', false); // []  (quoted field continues)
 * parser.push('c",d\n', true);  // [{ fields: ["a", "b\nc", "d"], line: 2 }]
 * ```
 */
export class CsvParser {
  readonly #delim: string;
  readonly #delimCode: number;
  #carry = "";
  #line: number;
  #shift = 0;

  constructor(delimiter: string, firstLine = 1) {
    this.#delim = delimiter;
    this.#delimCode = delimiter.charCodeAt(0);
    this.#line = firstLine;
  }

  /** Line number of the next record to start. */
  get line(): number {
    return this.#line;
  }

  /** True when no unfinished record is carried over. */
  get clean(): boolean {
    return this.#carry === "";
  }

  /** Parse a piece; `final` marks the end of input. */
  push(text: string, final: boolean): CsvRecord[] {
    const s = this.#carry === "" ? text : this.#carry + text;
    // Record ends are reported in `text`'s indexes: the carried part came from earlier pieces.
    this.#shift = this.#carry.length;
    this.#carry = "";
    const out: CsvRecord[] = [];
    const len = s.length;
    let pos = 0;
    let quoteAt = s.indexOf('"');
    while (pos < len) {
      let nl = s.indexOf("\n", pos);
      if (nl === -1) {
        if (!final) {
          this.#carry = s.slice(pos);
          break;
        }
        nl = len;
      }
      if (quoteAt !== -1 && quoteAt < pos) quoteAt = s.indexOf('"', pos);
      if (quoteAt === -1 || quoteAt > nl) {
        let end = nl;
        if (end > pos && s.charCodeAt(end - 1) === CR) end--;
        const line = this.#line++;
        if (end > pos) {
          const fields = s.slice(pos, end).split(this.#delim);
          out.push({ fields, line, end: Math.min(nl + 1, len) - this.#shift, next: this.#line });
        }
        pos = nl + 1;
        continue;
      }
      const next = this.#quoted(s, pos, final, out);
      if (next === -1) {
        this.#carry = s.slice(pos);
        break;
      }
      pos = next;
    }
    return out;
  }

  /** Parse one record that contains a quote; returns the index after it, or -1 if unfinished. */
  #quoted(s: string, start: number, final: boolean, out: CsvRecord[]): number {
    const len = s.length;
    const fields: string[] = [];
    const line = this.#line;
    let i = start;
    let error: string | undefined;
    while (true) {
      if (s.charCodeAt(i) === QUOTE) {
        let value = "";
        i++;
        while (true) {
          const j = s.indexOf('"', i);
          if (j === -1) {
            if (!final) return -1;
            error = `quoted field ${fields.length + 1} opened on line ${line} is never closed`;
            fields.push(value + s.slice(i));
            return this.#finish(s, start, len, { fields, line, error }, out);
          }
          value += s.slice(i, j);
          if (s.charCodeAt(j + 1) === QUOTE) {
            value += '"';
            i = j + 2;
          } else {
            i = j + 1;
            break;
          }
        }
        fields.push(value);
        const c = i < len ? s.charCodeAt(i) : -1;
        if (c === this.#delimCode) {
          i++;
          continue;
        }
        if (c === LF) return this.#finish(s, start, i + 1, { fields, line, error }, out);
        if (c === CR && s.charCodeAt(i + 1) === LF) {
          return this.#finish(s, start, i + 2, { fields, line, error }, out);
        }
        if (c === -1) {
          if (!final) return -1;
          return this.#finish(s, start, len, { fields, line, error }, out);
        }
        error ??= `field ${fields.length} has text after its closing quote`;
        const nl = s.indexOf("\n", i);
        return this.#finish(s, start, nl === -1 ? len : nl + 1, { fields, line, error }, out);
      }
      let d = s.indexOf(this.#delim, i);
      const nl = s.indexOf("\n", i);
      if (nl === -1 && !final) return -1;
      const lineEnd = nl === -1 ? len : nl;
      if (d === -1 || d > lineEnd) d = -1;
      if (d !== -1) {
        fields.push(s.slice(i, d));
        i = d + 1;
        continue;
      }
      let end = lineEnd;
      if (end > i && s.charCodeAt(end - 1) === CR) end--;
      fields.push(s.slice(i, end));
      return this.#finish(s, start, nl === -1 ? len : nl + 1, { fields, line, error }, out);
    }
  }

  #finish(
    s: string,
    start: number,
    end: number,
    record: Omit<CsvRecord, "end" | "next">,
    out: CsvRecord[],
  ): number {
    let n = 0;
    for (let k = s.indexOf("\n", start); k !== -1 && k < end; k = s.indexOf("\n", k + 1)) n++;
    // A record that ends at end of input without a line break still occupies its line.
    this.#line += n === 0 ? 1 : (s.charCodeAt(end - 1) === LF ? n : n + 1);
    out.push({ ...record, end: end - this.#shift, next: this.#line });
    return end;
  }
}

/**
 * Pick the delimiter that splits the header line into the most fields, outside quotes.
 * Falls back to a comma.
 */
export function detectDelimiter(headerLine: string): string {
  let best = ",";
  let bestCount = 0;
  for (const d of [",", ";", "\t", "|"]) {
    let count = 0;
    let inQuotes = false;
    for (const ch of headerLine) {
      if (ch === '"') inQuotes = !inQuotes;
      else if (ch === d && !inQuotes) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}
