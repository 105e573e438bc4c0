/**
 * A streaming scanner over JSON text fed in pieces: it walks to the array of records (at the top
 * level or at a JSON pointer), cuts out each element's text and leaves parsing to `JSON.parse`,
 * one element at a time. Only the element being cut is ever held, so memory stays flat whatever
 * the file size. Only the path to the records is checked strictly; values beside it are skipped
 * by counting brackets, and each element is checked by `JSON.parse`.
 * @module
 */

/** The JSON text does not have the shape asked for: unbalanced, truncated, no array there. */
export class JsonShapeError extends Error {
  override name = "JsonShapeError";
}

/** One element of the target array, cut out but not parsed. */
export interface JsonElement {
  /** The element's JSON text. */
  text: string;
  /** 1-based line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
  /** Position in the piece just pushed right after the element. */
  end: number;
  /** Line at `end`. */
  endLine: number;
}

/** Where to resume: the brackets from the top down to the records' array, and the next index. */
export interface ScanResume {
  frames: string;
  index: number;
}

const OBJ = 123; // {
const ARR = 91; // [
const MAX_RECORD = 1 << 28;
// Modes: what the next significant character may be.
const VALUE = 0;
const AFTER = 1;
const KEY = 2;
const COLON = 3;
const SCAN = 4;
const END = 5;
// What a scanned value is for.
const SKIP = 0;
const ELEMENT = 1;
const NAME = 2;
// Where the target array is.
const SEARCHING = 0;
const INSIDE = 1;
const DONE = 2;

/** Split an RFC 6901 pointer into unescaped reference tokens; "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * Cuts the elements of one array out of JSON text pushed in pieces of any size.
 *
 * @example
 * ```ts
 * const scanner = new JsonScanner("/entry");
 * scanner.push('{"entry": [{"a": 1}, {"a"', false); // [{ text: '{"a": 1}', index: 0, ... }]
 * scanner.push(': 2}]}', true);                      // [{ text: '{"a": 2}', index: 1, ... }]
 * scanner.finish();                                   // throws JsonShapeError when truncated
 * ```
 */
export class JsonScanner {
  readonly #pointer: string | null;
  readonly #target: string[] | null;
  readonly #targetDepth: number;
  #frames: number[] = [];
  #keys: (string | number)[] = [];
  #mode = VALUE;
  #state = SEARCHING;
  #framesKey = "";
  // The value being scanned.
  #purpose = SKIP;
  #depth = 0;
  #inStr = false;
  #esc = false;
  #scalar = false;
  #start = 0;
  #parts: string[] = [];
  #partsLen = 0;
  #elemLine = 0;
  #elemIndex = 0;
  // The current piece: next line break and next backslash (-2: not looked for yet).
  #s = "";
  #nl = -1;
  #bs = -2;
  #line: number;
  #endsWithBreak = false;

  /**
   * `pointer` locates the array of records ("" for the top level); `null` makes the top-level
   * value itself the one record. `resume` continues after an element a previous scan ended at.
   */
  constructor(pointer: string | null, options: { line?: number; resume?: ScanResume } = {}) {
    this.#pointer = pointer;
    this.#target = pointer === null ? null : parsePointer(pointer);
    this.#targetDepth = this.#target === null ? 0 : this.#target.length + 1;
    this.#line = options.line ?? 1;
    const resume = options.resume;
    if (!resume) return;
    if (resume.frames === "") {
      this.#mode = END;
      this.#state = DONE;
      return;
    }
    for (let i = 0; i < resume.frames.length; i++) {
      this.#frames.push(resume.frames.charCodeAt(i));
      this.#keys.push("");
    }
    this.#keys[this.#keys.length - 1] = Math.max(0, resume.index - 1);
    this.#mode = resume.index > 0 ? AFTER : VALUE;
    this.#state = INSIDE;
    this.#framesKey = resume.frames;
  }

  /** The brackets from the top down to the records' array, e.g. `{[`, for a resume point. */
  get frames(): string {
    return this.#framesKey;
  }

  /** Scan the next piece; returns the elements completed in it. */
  push(text: string, final: boolean): JsonElement[] {
    const out: JsonElement[] = [];
    this.#s = text;
    this.#nl = text.indexOf("\n");
    this.#bs = -2;
    const len = text.length;
    let i = this.#mode === SCAN ? this.#run(text, 0, final, out) : 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      const mode = this.#mode;
      if (mode === VALUE) i = this.#value(text, i, c, final, out);
      else if (mode === AFTER) i = this.#after(i, c);
      else if (mode === KEY) {
        if (c === 34) i = this.#begin(text, i, c, NAME, final, out);
        else if (c === 125) i = this.#close(i);
        else this.#fail('expected a quoted key or "}"', i, c);
      } else if (mode === COLON) {
        if (c !== 58) this.#fail('expected ":"', i, c);
        this.#mode = VALUE;
        i++;
      } else this.#fail("unexpected text after the end of the JSON value", i, c);
    }
    this.#lineOf(len);
    if (len > 0) this.#endsWithBreak = text.charCodeAt(len - 1) === 10;
    return out;
  }

  /** Call after the final piece: throws when the text ended early or held no such array. */
  finish(): void {
    const at = `file ends at line ${this.#line - (this.#endsWithBreak ? 1 : 0)}`;
    const where = this.#pointer === "" ? "the top level" : this.#pointer;
    const open = this.#mode === SCAN && this.#purpose === ELEMENT;
    if (this.#target === null && open) {
      throw new JsonShapeError(
        `the JSON value starting at line ${this.#elemLine} is not closed (${at})`,
      );
    }
    if (this.#state === INSIDE || open) {
      throw new JsonShapeError(
        where === "the top level"
          ? `the top-level array is not closed (${at})`
          : `the array at ${where} is not closed (${at})`,
      );
    }
    if (this.#state === SEARCHING) {
      if (this.#mode === VALUE && this.#frames.length === 0) {
        throw new JsonShapeError("the file is empty");
      }
      if (this.#mode !== END) throw new JsonShapeError(`the JSON is not closed (${at})`);
      throw new JsonShapeError(`no array at ${where}`);
    }
    if (this.#mode !== END) {
      throw new JsonShapeError(`the JSON is not closed after the records (${at})`);
    }
  }

  #value(s: string, i: number, c: number, final: boolean, out: JsonElement[]): number {
    const d = this.#frames.length;
    if (c === 93 && d > 0 && this.#frames[d - 1] === ARR) return this.#close(i);
    if (c === 44 || c === 58 || c === 93 || c === 125) this.#fail("expected a value", i, c);
    if (this.#state === INSIDE && d === this.#targetDepth) {
      return this.#begin(s, i, c, ELEMENT, final, out);
    }
    const target = this.#target;
    if (this.#state === SEARCHING && (d === 0 || String(this.#keys[d - 1]) === target?.[d - 1])) {
      if (target === null) return this.#begin(s, i, c, ELEMENT, final, out);
      if (d === target.length) {
        if (c !== ARR) {
          throw new JsonShapeError(
            `no array at ${this.#pointer || "the top level"} (found ${kind(c)})`,
          );
        }
        this.#open(ARR, VALUE, 0);
        this.#state = INSIDE;
        this.#framesKey = String.fromCharCode(...this.#frames);
        return i + 1;
      }
      if (c === OBJ) {
        this.#open(OBJ, KEY, "");
        return i + 1;
      }
      if (c === ARR) {
        this.#open(ARR, VALUE, 0);
        return i + 1;
      }
    }
    return this.#begin(s, i, c, SKIP, final, out);
  }

  #open(bracket: number, mode: number, key: string | number): void {
    this.#frames.push(bracket);
    this.#keys.push(key);
    this.#mode = mode;
  }

  #after(i: number, c: number): number {
    const d = this.#frames.length;
    const top = this.#frames[d - 1];
    if (c === 44) {
      if (top === OBJ) this.#mode = KEY;
      else {
        (this.#keys[d - 1] as number)++;
        this.#mode = VALUE;
      }
      return i + 1;
    }
    if ((c === 125 && top === OBJ) || (c === 93 && top === ARR)) return this.#close(i);
    return this.#fail(`expected "," or "${top === OBJ ? "}" : "]"}"`, i, c);
  }

  #close(i: number): number {
    if (this.#state === INSIDE && this.#frames.length === this.#targetDepth) this.#state = DONE;
    this.#frames.pop();
    this.#keys.pop();
    this.#mode = this.#frames.length === 0 ? END : AFTER;
    return i + 1;
  }

  #begin(s: string, i: number, c: number, purpose: number, final: boolean, out: JsonElement[]) {
    this.#purpose = purpose;
    this.#start = i;
    this.#esc = false;
    this.#inStr = c === 34;
    this.#scalar = !this.#inStr && c !== OBJ && c !== ARR;
    this.#depth = this.#inStr || this.#scalar ? 0 : 1;
    if (purpose === ELEMENT) {
      this.#elemLine = this.#lineOf(i);
      const d = this.#keys.length;
      this.#elemIndex = d === 0 ? 0 : this.#keys[d - 1] as number;
    }
    this.#mode = SCAN;
    return this.#run(s, this.#scalar ? i : i + 1, final, out);
  }

  /** Scan on from `i`; returns where the value ends, or the piece's length when it goes on. */
  #run(s: string, i: number, final: boolean, out: JsonElement[]): number {
    let end = this.#scalar ? scalarEnd(s, i) : this.#nestedEnd(s, i);
    if (end < 0 && final && this.#scalar) end = s.length;
    if (end >= 0) {
      this.#complete(s, end, out);
      return end;
    }
    if (this.#purpose !== SKIP) {
      const tail = s.slice(this.#start);
      this.#parts.push(tail);
      this.#partsLen += tail.length;
      if (this.#partsLen > MAX_RECORD) {
        throw new JsonShapeError(
          `the value starting at line ${this.#elemLine} is larger than ${MAX_RECORD >> 20} MiB`,
        );
      }
    }
    this.#start = 0;
    return s.length;
  }

  /** End of a string, object or array value (after its closing character), or -1. */
  #nestedEnd(s: string, i: number): number {
    const len = s.length;
    if (this.#esc) {
      if (i >= len) return -1;
      this.#esc = false;
      i++;
    }
    let depth = this.#depth;
    let inStr = this.#inStr;
    let bs = this.#bs;
    while (i < len) {
      if (inStr) {
        const q = s.indexOf('"', i);
        if (bs !== -1 && bs < i) bs = s.indexOf("\\", i);
        if (bs !== -1 && (q === -1 || bs < q)) {
          i = bs + 2;
          if (i > len) {
            this.#esc = true;
            i = len;
          }
          continue;
        }
        if (q === -1) break;
        i = q + 1;
        inStr = false;
        if (depth === 0) {
          this.#bs = bs;
          this.#inStr = false;
          return i;
        }
        continue;
      }
      const c = s.charCodeAt(i++);
      if (c === 34) inStr = true;
      else if (c === 123 || c === 91) depth++;
      else if ((c === 125 || c === 93) && --depth === 0) {
        this.#bs = bs;
        this.#inStr = false;
        this.#depth = 0;
        return i;
      }
    }
    this.#bs = bs;
    this.#depth = depth;
    this.#inStr = inStr;
    return -1;
  }

  #complete(s: string, end: number, out: JsonElement[]): void {
    const head = s.slice(this.#start, end);
    const text = this.#parts.length === 0 ? head : this.#parts.join("") + head;
    if (this.#parts.length > 0) {
      this.#parts = [];
      this.#partsLen = 0;
    }
    const d = this.#frames.length;
    if (this.#purpose === NAME) {
      if (this.#state === SEARCHING) {
        this.#keys[d - 1] = text.includes("\\") ? JSON.parse(text) : text.slice(1, -1);
      }
      this.#mode = COLON;
      return;
    }
    if (this.#purpose === ELEMENT) {
      out.push({
        text,
        line: this.#elemLine,
        index: this.#elemIndex,
        end,
        endLine: this.#lineOf(end),
      });
      if (this.#target === null) this.#state = DONE;
    }
    this.#mode = d === 0 ? END : AFTER;
  }

  /** Line at position `pos` of the current piece; positions must not go back. */
  #lineOf(pos: number): number {
    let nl = this.#nl;
    while (nl !== -1 && nl < pos) {
      this.#line++;
      nl = this.#s.indexOf("\n", nl + 1);
    }
    this.#nl = nl;
    return this.#line;
  }

  #fail(expected: string, i: number, c: number): never {
    const found = JSON.stringify(String.fromCharCode(c));
    throw new JsonShapeError(`${expected} at line ${this.#lineOf(i)}, found ${found}`);
  }
}

/** End of a number or literal (the delimiter after it), or -1. */
function scalarEnd(s: string, i: number): number {
  const len = s.length;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) return i;
  }
  return -1;
}

function kind(c: number): string {
  if (c === OBJ) return "an object";
  if (c === 34) return "a string";
  if (c === 116 || c === 102) return "a boolean";
  if (c === 110) return "null";
  return "a number";
}
