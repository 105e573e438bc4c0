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
    new TextDecoder("utf-8", { fatal: true }).decode(probe);
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

/** Decode one piece, or say which bytes are not in the file's encoding and what to do. */
export function decodePiece(
  decoder: TextDecoder,
  bytes: Uint8Array,
  label: string,
  offset: number,
): string {
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
 */
export async function* readPieces(
  fullPath: string,
  offset: number,
  encoding: TextEncoding,
  label: string,
): AsyncGenerator<TextPiece> {
  const file = await openInput(fullPath, label);
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    let leftover = new Uint8Array(0);
    let pieceOffset = offset;
    const buf = new Uint8Array(CHUNK);
    while (true) {
      const n = await file.read(buf);
      const final = n === null;
      let data: Uint8Array;
      if (final) data = leftover;
      else if (leftover.length === 0) data = buf.subarray(0, n);
      else {
        data = new Uint8Array(leftover.length + n);
        data.set(leftover);
        data.set(buf.subarray(0, n), leftover.length);
      }
      const cut = final ? data.length : data.lastIndexOf(0x0a) + 1;
      if (cut === 0 && !final) {
        leftover = data.slice();
        continue;
      }
      const piece = data.subarray(0, cut);
      leftover = data.slice(cut);
      const text = decodePiece(decoder, piece, label, pieceOffset);
      yield { text, offset: pieceOffset, final };
      pieceOffset += cut;
      if (final) return;
    }
  } finally {
    file.close();
  }
}
