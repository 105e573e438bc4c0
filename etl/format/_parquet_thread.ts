/**
 * The Parquet writer on a helper thread: the run's thread builds each piece of rows (CSV → typed
 * columns → Arrow IPC) while the helper compresses and encodes the one before with
 * parquet-wasm, which took ~40% of the run's thread on 1M Synthea patients.
 *
 * The piece's IPC buffer is moved to the thread, not copied, and so are the bytes that come
 * back. At most {@link IN_FLIGHT} pieces are on their way, so memory stays bounded when the
 * thread is the slower one.
 *
 * A Web Worker, not `node:worker_threads`: the same pieces took ~20× longer there, with the
 * process growing to ~800 MB. Starting one takes ~0.3 s, so only long outputs get one (see
 * `parquet.ts`).
 * @module
 */
import { releaseFreeMemory } from "../../native/malloc.ts";
import { FatalRunError } from "../errors.ts";
import { freeBytes } from "./_values.ts";
import type { ParquetReply, ParquetRequest } from "./_parquet_worker.ts";
import type { ParquetStreamOptions } from "./_parquet_stream.ts";

const ENTRY = new URL("./_parquet_worker.ts", import.meta.url);

/** Pieces sent and not answered yet before `write` waits: one encoding, two queued. */
const IN_FLIGHT = 3;

/**
 * Ends the thread of a writer dropped without `close` or `dispose` (a live worker would keep
 * the process from exiting). A writer with requests out is held in {@link busy}, so it cannot be
 * collected while a call waits for the thread.
 */
const orphans = new FinalizationRegistry<Worker>((worker) => {
  worker.terminate();
  running--;
});
const busy = new Set<ParquetThread>();
let running = 0;

/** Helper threads started and not yet ended (for tests: an abandoned output must end its thread). */
export function parquetThreadsRunning(): number {
  return running;
}

/**
 * The same calls as `ParquetStream` (`write`, `take`, `close`), with the encoding on a helper
 * thread: `take()` hands out the bytes of the pieces encoded so far, so it may lag behind
 * `write`; `close()` returns all the rest. Calls must not overlap: await each one. Whoever
 * drops a writer before `close()` calls `dispose()`.
 *
 * @example
 * ```ts
 * const writer = ParquetThread.start({ compression: "snappy", rowGroupSize: 10_000, statistics: "typed" }, []);
 * await writer.write(ipcBatch(columns, data, rows), rows);
 * await sink.put(writer.take());
 * await sink.put(await writer.close());
 * ```
 */
export class ParquetThread {
  #worker: Worker;
  #pending = 0;
  #waiter: (() => void) | undefined;
  /** What went wrong, worded for the user. */
  #failure: string | undefined;
  #ended: Uint8Array | undefined;
  /** Two output buffers: replies go into one while the bytes of the other are handed out. */
  #outs = [new Uint8Array(1 << 20), new Uint8Array(1 << 20)];
  #current = 0;
  #length = 0;
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    // Weakly: the registry holds the worker, and the worker its handlers.
    const self = new WeakRef(this);
    worker.onmessage = (event: MessageEvent<ParquetReply>) => {
      const thread = self.deref();
      if (thread) thread.#reply(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const thread = self.deref();
      if (thread) {
        thread.#fail(`Cannot write the Parquet file: its thread stopped: ${event.message}`);
      }
    };
    orphans.register(this, worker, this);
  }

  /**
   * A writer on a new helper thread, or undefined where none can be started (the caller then
   * writes on its own thread).
   */
  static start(
    options: ParquetStreamOptions,
    textColumns: readonly string[],
  ): ParquetThread | undefined {
    let worker: Worker;
    try {
      worker = new Worker(ENTRY, { type: "module", name: "parquet" });
    } catch {
      return undefined;
    }
    running++;
    const thread = new ParquetThread(worker);
    thread.#send({ type: "open", options, textColumns: [...textColumns] });
    return thread;
  }

  /**
   * Sends one piece (an Arrow IPC stream whose buffer is moved to the thread: it must be the
   * caller's own) and waits only while {@link IN_FLIGHT} are on their way.
   */
  async write(ipc: Uint8Array, rows: number): Promise<void> {
    this.#check();
    this.#send({ type: "write", ipc, rows }, [ipc.buffer as ArrayBuffer]);
    while (this.#pending >= IN_FLIGHT) await this.#next();
  }

  /** The bytes of the pieces encoded since the last call, valid until the next call. */
  take(): Uint8Array {
    const bytes = this.#outs[this.#current].subarray(0, this.#length);
    this.#current ^= 1;
    this.#length = 0;
    return bytes;
  }

  /** Waits for every piece, then returns what was not taken yet, the footer last. */
  async close(): Promise<Uint8Array> {
    this.#check();
    this.#send({ type: "close" });
    while (this.#ended === undefined) await this.#next();
    const ended = this.#ended;
    this.dispose();
    const rest = this.take();
    const tail = new Uint8Array(rest.length + ended.length);
    tail.set(rest);
    tail.set(ended, rest.length);
    return tail;
  }

  /** Ends the thread now (an abandoned output); nothing more can be written. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    running--;
    busy.delete(this);
    orphans.unregister(this);
    this.#worker.terminate();
    this.#wake();
  }

  /** Sends a request; each but `open` is answered once. */
  #send(request: ParquetRequest, transfer: ArrayBuffer[] = []): void {
    if (request.type !== "open") {
      this.#pending++;
      busy.add(this);
    }
    this.#worker.postMessage(request, transfer);
  }

  /** Waits for the next reply, then throws what went wrong, if anything. */
  async #next(): Promise<void> {
    await new Promise<void>((resolve) => this.#waiter = resolve);
    this.#check();
  }

  #reply(reply: ParquetReply): void {
    if (reply.type === "error") return this.#fail(reply.message);
    if (reply.type === "end") this.#ended = reply.bytes;
    else this.#keep(reply.bytes);
    // Each piece's buffers are made on one thread and freed on the other (see malloc.ts).
    releaseFreeMemory();
    if (--this.#pending === 0) busy.delete(this);
    this.#wake();
  }

  #keep(chunk: Uint8Array): void {
    let out = this.#outs[this.#current];
    const need = this.#length + chunk.length;
    if (need > out.length) {
      const next = new Uint8Array(Math.max(need, out.length * 2));
      next.set(out.subarray(0, this.#length));
      this.#outs[this.#current] = out = next;
    }
    out.set(chunk, this.#length);
    this.#length = need;
    freeBytes(chunk);
  }

  #fail(message: string): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#failure = message;
    this.dispose();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  #check(): void {
    if (this.#failure !== undefined) throw new FatalRunError(this.#failure);
    if (this.#closed) throw new FatalRunError("The Parquet writer was already closed");
  }
}
