/**
 * Write-behind for the file repository: the run hands over encoded chunks and goes on reading
 * and encoding while they are written. Chunks that arrive while a write is in flight gather in
 * one buffer and go out in the next write, so a slow write (this VM's page cache takes 0.4–4 s
 * for the same 1.9 GB) is caught up at the disk's speed instead of one chunk per batch.
 * @module
 */
import type { Hash } from "node:crypto";
import { writeAll } from "./_file_parts.ts";

/** Bytes gathered before a chunk waits for the write in flight. */
const GATHER = 2 * 1024 * 1024;

/** Bytes written between two background flushes to disk. */
const SYNC_EVERY = 64 * 1024 * 1024;

/**
 * Writes chunks to a file in order, behind the caller, updating `hash` (when given) with each
 * chunk as it is put. At most one write, one background `fdatasync` and two buffers are out at
 * a time. (Hashing on a helper thread was measured too: 5% faster on 1.9 GB of NDJSON, but the
 * thread costs ~20 MB, a tenth of the 200 MB a run may use.)
 *
 * @example
 * ```ts
 * const out = new WriteBehind(file, createHash("sha256"));
 * await out.put(bytes); // copied: `bytes` may be reused at once
 * await out.drain();    // all written; errors of earlier writes are thrown here
 * const hex = out.digest();
 * ```
 */
export class WriteBehind {
  #file: Deno.FsFile;
  #hash: Hash | undefined;
  #cur: Uint8Array | undefined;
  #len = 0;
  #spares: Uint8Array[] = [];
  #writing: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #unsynced = 0;
  #error: unknown;
  #failed = false;

  constructor(file: Deno.FsFile, hash?: Hash) {
    this.#file = file;
    this.#hash = hash;
  }

  /** Queue a copy of `chunk`; waits only while the gathering buffer is full. */
  async put(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.#check();
    this.#hash?.update(chunk);
    while (this.#cur && this.#len + chunk.length > this.#cur.length) {
      // Full: it goes out once the write in flight is done (which then takes it at once).
      if (this.#writing) await this.#writing;
      else this.#start();
      this.#check();
    }
    if (!this.#cur) this.#cur = this.#buffer(Math.max(GATHER, chunk.length));
    this.#cur.set(chunk, this.#len);
    this.#len += chunk.length;
    if (!this.#writing) this.#start();
  }

  /** Everything written and every background flush done; throws what a write threw. */
  async drain(): Promise<void> {
    for (;;) {
      this.#check();
      if (this.#writing) await this.#writing;
      else if (this.#len > 0) this.#start();
      else break;
    }
    await this.#syncing;
    this.#check();
  }

  /** Write to another file from now on (call after {@link drain}). */
  switchTo(file: Deno.FsFile): void {
    this.#file = file;
  }

  /** The hex digest of everything put (once); undefined without a hash. */
  digest(): string | undefined {
    const hash = this.#hash;
    this.#hash = undefined;
    return hash?.digest("hex");
  }

  /** Stop hashing (the output is hashed some other way). */
  dropHash(): void {
    this.#hash = undefined;
  }

  #check(): void {
    if (this.#failed) throw this.#error;
  }

  #buffer(length: number): Uint8Array {
    const spare = this.#spares.pop();
    return spare && spare.length >= length ? spare : new Uint8Array(length);
  }

  /** Start writing the gathered bytes, when there are some and no write is in flight. */
  #start(): void {
    if (this.#writing || !this.#cur || this.#len === 0) return;
    const view = this.#cur.subarray(0, this.#len);
    this.#cur = undefined;
    this.#len = 0;
    const writing = writeAll(this.#file, view).then(() => {
      this.#writing = undefined;
      this.#spares.push(new Uint8Array(view.buffer));
      this.#unsynced += view.length;
      if (this.#unsynced >= SYNC_EVERY && !this.#syncing) this.#sync();
      // What gathered meanwhile goes out at once, without waiting for the next put.
      this.#start();
    }, (err) => {
      this.#writing = undefined;
      this.#fail(err);
    });
    this.#writing = writing;
  }

  /**
   * Flush to disk while the next chunks are made, so the sync at commit finds little left to do
   * (1.4 s of 15 s for 1.9 GB of Patient NDJSON when it was all left).
   */
  #sync(): void {
    this.#unsynced = 0;
    this.#syncing = this.#file.syncData().catch((err) => this.#fail(err))
      .finally(() => this.#syncing = undefined);
  }

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = err;
  }
}
