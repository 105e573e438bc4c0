/**
 * A buffered, synchronous text writer for the generator: strings gather into one pending string
 * and are encoded into a single reused byte buffer, so writing 10 GB costs no more memory than
 * writing 10 KB.
 * @module
 */

const CHUNK = 1 << 16;
const encoder = new TextEncoder();

/** Writes UTF-8 text to a file in ~64 KB pieces. */
export class BufferedTextWriter {
  #file: Deno.FsFile;
  #pending = "";
  // UTF-8 needs at most 3 bytes per UTF-16 unit; rows are far shorter than a chunk.
  #buf = new Uint8Array(CHUNK * 6);
  /** Bytes written so far. */
  bytes = 0;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Create (or truncate) `path` for writing. */
  static async create(path: string): Promise<BufferedTextWriter> {
    return new BufferedTextWriter(
      await Deno.open(path, { write: true, create: true, truncate: true }),
    );
  }

  /** Queue `text`; it reaches the file once a chunk has gathered, or at close. */
  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= CHUNK) this.#flush();
  }

  #flush(): void {
    let text = this.#pending;
    this.#pending = "";
    while (text.length > 0) {
      const { read, written } = encoder.encodeInto(text, this.#buf);
      let off = 0;
      while (off < written) off += this.#file.writeSync(this.#buf.subarray(off, written));
      this.bytes += written;
      text = text.slice(read);
    }
  }

  /** Write what is pending and close the file. */
  close(): void {
    try {
      this.#flush();
    } finally {
      this.#file.close();
    }
  }
}
