/**
 * The body of a streaming upload: the sink pushes encoded bytes in, the uploader reads them
 * out part by part. Pushing waits while the stream is full, so memory stays flat whatever the
 * output size; the sha256 and byte count of everything pushed are kept on the way.
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";

/** Bytes buffered between the encoder and the uploader before a push waits. */
const HIGH_WATER_MARK = 1 << 20;

/** A byte stream fed by the sink and read by the uploader. */
export class UploadBody {
  /** Pass this as the upload's Body. */
  readonly stream: PassThrough = new PassThrough({ highWaterMark: HIGH_WATER_MARK });
  /** Bytes pushed so far. */
  bytes = 0;
  #hash = createHash("sha256");
  #closed = false;

  constructor() {
    // Destroying the stream after the uploader stopped reading must not crash the process.
    this.stream.on("error", () => {});
  }

  /**
   * Append `chunk`, waiting while the stream is full until the uploader reads on or `stopped`
   * settles (the upload ended early: the caller then looks at why).
   */
  async push(chunk: Uint8Array, stopped: Promise<unknown>): Promise<void> {
    if (chunk.length === 0 || this.#closed) return;
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    // Encoders reuse their buffer, and the stream keeps what it is given: hand it a copy.
    if (this.stream.write(Buffer.from(chunk))) return;
    let onDrain = () => {};
    const drained = new Promise<void>((resolve) => (onDrain = resolve));
    this.stream.once("drain", onDrain);
    try {
      await Promise.race([drained, stopped]);
    } finally {
      this.stream.off("drain", onDrain);
    }
  }

  /** No more bytes: the uploader sends the last part and completes the object. */
  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stream.end();
  }

  /** Stop with an error, so the uploader gives up without completing anything. */
  fail(reason: Error): void {
    this.#closed = true;
    if (!this.stream.destroyed) this.stream.destroy(reason);
  }

  /** `sha256:<hex>` of every byte pushed. */
  checksum(): string {
    return `sha256:${this.#hash.digest("hex")}`;
  }
}
