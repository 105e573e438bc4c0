/**
 * Write-behind for the file repository: the run hands over encoded chunks and goes on reading
 * and encoding while they are written. Chunks that arrive while a write is in flight gather in
 * one buffer and go out in the next write, so a slow write (this VM's page cache takes 0.4–4 s
 * for the same 1.9 GB) is caught up at the disk's speed instead of one chunk per batch.
 * @module
 */
import type { StreamHash } from "../../native/sha256.ts";
import { writeAll } from "./_file_parts.ts";
import { alignedBytes, DIRECT_BLOCK, type DirectFile } from "./_direct_io.ts";

/** Bytes gathered before a chunk waits for the write in flight. */
const GATHER = 2 * 1024 * 1024;

/** Bytes written between two background flushes to disk. */
const SYNC_EVERY = 64 * 1024 * 1024;

/**
 * Writes chunks to a file in order, behind the caller, updating `hash` (when given) with the
 * bytes as they are written. At most one write, one hash update, one background `fdatasync` and
 * two buffers are out at a time. (A hashing Web Worker was measured too: 5% faster, but ~20 MB;
 * `sha256Stream` hashes on one of Deno's blocking threads instead, for no memory.)
 *
 * Given a {@link DirectFile} on a new, empty file, whole blocks go out through it, skipping the
 * page cache; the last partial block stays gathered and is written through `file` at
 * {@link drain} (and again, with what follows it, by the next direct write).
 *
 * @example
 * ```ts
 * const out = new WriteBehind(file, sha256Stream());
 * await out.put(bytes); // copied: `bytes` may be reused at once
 * await out.drain();    // all written; errors of earlier writes are thrown here
 * const hex = await out.digest();
 * ```
 */
export class WriteBehind {
  #file: Deno.FsFile;
  #hash: StreamHash | undefined;
  #cur: Uint8Array | undefined;
  #len = 0;
  #spares: Uint8Array[] = [];
  #writing: Promise<void> | undefined;
  #syncing: Promise<void> | undefined;
  #unsynced = 0;
  #error: unknown;
  #failed = false;
  #direct: DirectFile | undefined;
  /** Where the first gathered byte goes in the file (direct writes only). */
  #offset = 0;

  constructor(file: Deno.FsFile, hash?: StreamHash, direct?: DirectFile) {
    this.#file = file;
    this.#hash = hash;
    this.#direct = direct;
  }

  /** Queue a copy of `chunk`; waits only while the gathering buffer is full. */
  async put(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.#check();
    while (this.#cur && this.#len + chunk.length > this.#cur.length) {
      // Full: it goes out once the write in flight is done (which then takes it at once).
      if (this.#writing) await this.#writing;
      else if (!this.#start()) this.#grow(this.#len + chunk.length);
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
      else if (!this.#start()) break;
    }
    if (this.#direct && this.#len > 0) {
      // Less than a block is left: written through the page cache, and kept for the next write.
      try {
        await this.#file.seek(this.#offset, Deno.SeekMode.Start);
        await writeAll(this.#file, this.#cur!.subarray(0, this.#len));
      } catch (err) {
        this.#fail(err);
      }
    }
    await this.#syncing;
    this.#check();
  }

  /** Write to another file from now on (call after {@link drain}); never directly. */
  switchTo(file: Deno.FsFile): void {
    this.close();
    this.#file = file;
    this.#cur = undefined;
    this.#len = 0;
    this.#offset = 0;
  }

  /** Close the direct descriptor, if any (the file itself is the caller's). */
  close(): void {
    this.#direct?.close();
    this.#direct = undefined;
  }

  /** The hex digest of everything put (once, after {@link drain}); undefined without a hash. */
  async digest(): Promise<string | undefined> {
    const hash = this.#hash;
    this.#hash = undefined;
    // What direct writes left gathered (less than a block) was written at drain, not hashed.
    if (hash && this.#direct && this.#len > 0) await hash.update(this.#cur!.subarray(0, this.#len));
    return hash?.digest();
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
    if (spare && spare.length >= length) return spare;
    return this.#direct ? alignedBytes(length) : new Uint8Array(length);
  }

  /** A bigger gathering buffer holding what was gathered (a chunk bigger than a buffer came). */
  #grow(length: number): void {
    const next = this.#buffer(length);
    if (this.#cur) next.set(this.#cur.subarray(0, this.#len));
    this.#cur = next;
  }

  /**
   * Start writing the gathered bytes (whole blocks of them, writing directly), when there are
   * some and no write is in flight; false when nothing was started.
   */
  #start(): boolean {
    if (this.#writing || !this.#cur || this.#len === 0) return false;
    const full = this.#cur;
    const direct = this.#direct;
    const length = direct ? this.#len - this.#len % DIRECT_BLOCK : this.#len;
    if (length === 0) return false;
    const view = full.subarray(0, length);
    const offset = this.#offset;
    const tail = this.#len - length;
    this.#cur = undefined;
    this.#len = 0;
    if (tail > 0) {
      this.#cur = this.#buffer(GATHER);
      this.#cur.set(full.subarray(length, length + tail));
      this.#len = tail;
    }
    this.#offset += length;
    // Hashed as it is written: natively, both run beside the run's thread (see sha256.ts).
    const hashing = this.#hash?.update(view);
    const write = direct
      ? direct.write(view, offset).then((ok) => ok ? undefined : this.#fallBack(view, offset))
      : writeAll(this.#file, view);
    // Both settle before anything else happens: a thread may still be reading `view`.
    const both = Promise.allSettled([hashing, write]).then((results) => {
      for (const r of results) if (r.status === "rejected") throw r.reason;
    });
    const writing = both.then(() => {
      this.#writing = undefined;
      this.#spares.push(full);
      this.#unsynced += view.length;
      // Direct writes leave nothing in the page cache to flush early, and a flush running
      // beside them held them up (1.6 s of a Patient run's waits, against 0.8 s without).
      if (this.#unsynced >= SYNC_EVERY && !this.#syncing && !this.#direct) this.#sync();
      // What gathered meanwhile goes out at once, without waiting for the next put.
      this.#start();
    }, (err) => {
      this.#writing = undefined;
      this.#fail(err);
    });
    this.#writing = writing;
    return true;
  }

  /**
   * A direct write failed or fell short: from now on everything goes through `file`, starting
   * with these bytes, so that a real error (a full disk, say) is reported as usual.
   */
  async #fallBack(view: Uint8Array, offset: number): Promise<void> {
    this.close();
    await this.#file.seek(offset, Deno.SeekMode.Start);
    await writeAll(this.#file, view);
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
