/**
 * Reading a file as decoded text pieces cut at character boundaries rather than line breaks,
 * since a JSON array may sit on one line of gigabytes; and counting bytes back from text
 * positions, so a cursor can point at any record.
 * @module
 */
import { decodePiece, openInput, type TextEncoding, type TextPiece } from "./_text_file.ts";

const CHUNK = 1 << 20;

/**
 * Yield decoded pieces of about 1 MiB from byte `offset`, each ending at a whole character, with
 * the byte offset where each starts. Memory stays at one chunk whatever the line lengths.
 */
export async function* readChunks(
  fullPath: string,
  offset: number,
  encoding: TextEncoding,
  label: string,
): AsyncGenerator<TextPiece> {
  const file = await openInput(fullPath, label);
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    // Room for a character of up to 3 bytes held back from the chunk before.
    const buf = new Uint8Array(CHUNK + 3);
    let held = 0;
    let pieceOffset = offset;
    while (true) {
      const n = await file.read(buf.subarray(held, held + CHUNK));
      const final = n === null;
      const len = held + (n ?? 0);
      const cut = final || encoding !== "utf-8" ? len : charBoundary(buf, len);
      const text = decodePiece(decoder, buf.subarray(0, cut), label, pieceOffset);
      yield { text, offset: pieceOffset, final };
      if (final) return;
      pieceOffset += cut;
      buf.copyWithin(0, cut, len);
      held = len - cut;
    }
  } finally {
    file.close();
  }
}

/** Length of the leading bytes of `b[0..len)` that hold only whole UTF-8 characters. */
export function charBoundary(b: Uint8Array, len: number): number {
  let i = len - 1;
  const stop = Math.max(0, len - 4);
  while (i >= stop && (b[i] & 0xc0) === 0x80) i--;
  // Not a character start within reach: invalid, and the decoder will say so.
  if (i < stop) return len;
  const lead = b[i];
  const size = lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  return i + size <= len ? len : i;
}

/**
 * Byte offsets of positions in a decoded piece, counted forward from the last position asked,
 * so a whole file costs one pass at most.
 *
 * @example
 * ```ts
 * const bytes = new ByteCounter("é\n{", 100, "utf-8");
 * bytes.at(2); // 103
 * ```
 */
export class ByteCounter {
  readonly #text: string;
  readonly #wide: boolean;
  #pos = 0;
  #bytes: number;

  constructor(text: string, offset: number, encoding: TextEncoding) {
    this.#text = text;
    this.#bytes = offset;
    // Windows-1252 is one byte per character.
    this.#wide = encoding === "utf-8";
  }

  /** Byte offset of position `pos`; positions must not go back. */
  at(pos: number): number {
    const s = this.#text;
    let bytes = this.#bytes + pos - this.#pos;
    if (this.#wide) {
      for (let i = this.#pos; i < pos; i++) {
        const c = s.charCodeAt(i);
        // Surrogates come in pairs: 2 + 2 extra bytes make the 4 of the character.
        if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
      }
    }
    this.#pos = pos;
    this.#bytes = bytes;
    return bytes;
  }
}
