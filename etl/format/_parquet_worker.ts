/**
 * The helper thread behind `ParquetThread` (`_parquet_thread.ts`): holds one
 * {@link ParquetStream}, writes the pieces of rows it is sent, in order, and sends back the bytes
 * each one added to the file; at `close` the rest with the footer.
 * @module
 */
import { FatalRunError } from "../errors.ts";
import { ParquetStream, type ParquetStreamOptions } from "./_parquet_stream.ts";

/** What the owner sends, in order. */
export type ParquetRequest =
  | { type: "open"; options: ParquetStreamOptions; textColumns: string[] }
  | { type: "write"; ipc: Uint8Array; rows: number }
  | { type: "close" };

/**
 * What the thread answers: one reply per `write` and `close`, in order; after an error (a message
 * for the user) nothing more.
 */
export type ParquetReply =
  | { type: "bytes"; bytes: Uint8Array }
  | { type: "end"; bytes: Uint8Array }
  | { type: "error"; message: string };

// A worker's global scope, typed without the worker lib (the project is checked as one program).
const port = self as unknown as {
  postMessage(reply: ParquetReply, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<ParquetRequest>) => void) | null;
};
let stream: ParquetStream | undefined;
let failed = false;
let queue: Promise<void> = Promise.resolve();

/** `bytes` copied into a buffer of their own, which is then moved (not copied) to the owner. */
function send(type: "bytes" | "end", bytes: Uint8Array): void {
  const own = bytes.slice();
  port.postMessage({ type, bytes: own }, [own.buffer]);
}

async function handle(request: ParquetRequest): Promise<void> {
  // After an error the owner stops; anything it had sent already is answered with nothing.
  if (failed) return;
  try {
    if (request.type === "open") {
      stream = new ParquetStream(request.options, request.textColumns);
    } else if (request.type === "write") {
      await stream!.write(request.ipc, request.rows);
      send("bytes", stream!.take());
    } else {
      send("end", await stream!.close());
    }
  } catch (err) {
    failed = true;
    // A FatalRunError is already worded for the user; anything else (wasm) says what it was in.
    const message = err instanceof FatalRunError
      ? err.message
      : `Cannot write the Parquet file: ${err instanceof Error ? err.message : String(err)}`;
    port.postMessage({ type: "error", message });
  }
}

port.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};
