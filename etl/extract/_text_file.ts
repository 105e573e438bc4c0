/**
 * Reading a text file in pieces that end at a line break, with byte offsets, so extractors can
 * resume from a cursor. Handles a UTF-8 BOM and picks UTF-8 or Windows-1252.
 * @module
 */
import { basename } from "node:path";
import { ConfigError } from "../errors.ts";

/** Encodings a text source can be read in. */
export type TextEncoding = "utf-8" | "windows-1252";

/** A piece of decoded text and the byte offset where it starts. */
export interface TextPiece {
  text: string;
  offset: number;
  final: boolean;
}

const CHUNK = 1 << 20;
/** Default size of a decoded piece (see {@link readPieces}). */
export const PIECE = 1 << 16;

/** Open a file for reading with a message a user can act on when it is missing. */
export async function openInput(fullPath: string, label: string): Promise<Deno.FsFile> {
  try {
    const info = await Deno.stat(fullPath);
    if (!info.isFile) throw new ConfigError(`Cannot read "${label}": it is not a file`);
    return await Deno.open(fullPath, { read: true });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (err instanceof Deno.errors.NotFound) {
      throw new ConfigError(`Cannot read "${label}": no such file`);
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError(`Cannot read "${label}": permission denied`);
    }
    throw err;
  }
}

/** The first bytes of a file (up to `max`). */
export async function readHead(file: Deno.FsFile, max = 1 << 16): Promise<Uint8Array> {
  const buf = new Uint8Array(max);
  let n = 0;
  while (n < max) {
    const r = await file.read(buf.subarray(n));
    if (r === null) break;
    n += r;
  }
  return buf.subarray(0, n);
}

/** Length of a UTF-8 byte order mark at the start of `head`, or 0. */
export function bomLength(head: Uint8Array): number {
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
}

/**
 * Decide the encoding from the file's head: a BOM or valid UTF-8 means UTF-8, anything else is
 * read as Windows-1252 (the usual export of Excel on Windows).
 */
export function sniffEncoding(head: Uint8Array, full: boolean): TextEncoding {
  if (bomLength(head) > 0) return "utf-8";
  // Cut at the last line break so a multi-byte character split by the head does not count.
  const lf = head.lastIndexOf(0x0a);
  const probe = full || lf === -1 ? head : head.subarray(0, lf + 1);
  try {
    decodePiece(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }), probe, "", 0);
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

// Decoders that replace bad bytes instead of throwing: 5–8× faster than fatal ones here, so
// they go first and the fatal decoder only confirms pieces that came out with U+FFFD.
const LENIENT: Record<string, TextDecoder> = {
  "utf-8": new TextDecoder("utf-8", { ignoreBOM: true }),
  "windows-1252": new TextDecoder("windows-1252", { ignoreBOM: true }),
};

/**
 * Decode one piece, or say which bytes are not in the file's encoding and what to do.
 * `decoder` is a fatal decoder without BOM handling (`{ fatal: true, ignoreBOM: true }`).
 */
export function decodePiece(
  decoder: TextDecoder,
  bytes: Uint8Array,
  label: string,
  offset: number,
): string {
  const lenient = LENIENT[decoder.encoding];
  if (lenient !== undefined && decoder.ignoreBOM) {
    const text = lenient.decode(bytes);
    // A replacement character is either in the file or marks a bad byte: let `decoder` say.
    if (!text.includes("\uFFFD")) return text;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new ConfigError(
      `Cannot read "${
        basename(label)
      }": bytes after offset ${offset} are not valid ${decoder.encoding}; set "encoding" to "windows-1252" or save the file as UTF-8`,
    );
  }
}

/**
 * Yield decoded pieces of a file from `offset`, each ending at a line break (the last one at end
 * of file), with the byte offset where each piece starts.
 *
 * Reads go 1 MiB at a time into two buffers in turn, the next read running while the caller
 * works on the pieces of the last one. Each read is decoded in pieces of about 64 KiB: V8 makes
 * strings that size in the young generation, where a 1 MiB string goes to large-object space and
 * costs 3–5× more to make and to collect.
 */
export async function* readPieces(
  fullPath: string,
  offset: number,
  encoding: TextEncoding,
  label: string,
  pieceBytes: number = PIECE,
): AsyncGenerator<TextPiece> {
  const file = await openInput(fullPath, label);
  let pending: Promise<number | null> | undefined;
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    let leftover = new Uint8Array(0);
    let pieceOffset = offset;
    const bufs = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
    let which = 0;
    let reading: Promise<number | null> = file.read(bufs[which]);
    pending = reading;
    while (true) {
      const n = await reading;
      pending = undefined;
      const buf = bufs[which];
      const final = n === null;
      let data: Uint8Array;
      if (final) data = leftover;
      else if (leftover.length === 0) data = buf.subarray(0, n);
      else {
        data = new Uint8Array(leftover.length + n);
        data.set(leftover);
        data.set(buf.subarray(0, n), leftover.length);
      }
      if (!final) {
        which = 1 - which;
        reading = pending = file.read(bufs[which]);
      }
      const cut = final ? data.length : data.lastIndexOf(0x0a) + 1;
      if (cut === 0 && !final) {
        leftover = data.slice();
        continue;
      }
      leftover = data.slice(cut);
      if (cut === 0) {
        yield { text: "", offset: pieceOffset, final };
        return;
      }
      for (let start = 0; start < cut;) {
        let end = cut;
        if (cut - start > pieceBytes) {
          end = data.lastIndexOf(0x0a, start + pieceBytes - 1) + 1;
          // A line longer than a piece: cut after it, or take the rest.
          if (end <= start) end = data.indexOf(0x0a, start + pieceBytes) + 1 || cut;
        }
        const text = decodePiece(decoder, data.subarray(start, end), label, pieceOffset);
        yield { text, offset: pieceOffset, final: final && end === cut };
        pieceOffset += end - start;
        start = end;
      }
      if (final) return;
    }
  } finally {
    // Let a read still running finish before its file is closed.
    await pending?.catch(() => {});
    file.close();
  }
}
