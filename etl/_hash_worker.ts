/**
 * The helper thread behind `hashFileOnThread` (`hash_thread.ts`): reads one file and answers its
 * size and SHA-256.
 * @module
 */
import { createHash } from "node:crypto";

/** What the owner sends. */
export interface HashRequest {
  path: string;
}

/** What the thread answers. */
export type HashReply =
  | { type: "file"; hex: string; size: number }
  | { type: "error"; name: string; message: string };

const CHUNK = 1 << 20;

// A worker's global scope, typed without the worker lib (the project is checked as one program).
const scope = self as unknown as {
  postMessage(msg: HashReply): void;
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null;
};

async function hashWholeFile(path: string): Promise<HashReply> {
  const hash = createHash("sha256");
  // One reused buffer: a stream allocates a chunk per read (+72 MB on a 1.7 GB file).
  const buf = new Uint8Array(CHUNK);
  let size = 0;
  using file = await Deno.open(path, { read: true });
  for (let n = await file.read(buf); n !== null; n = await file.read(buf)) {
    hash.update(buf.subarray(0, n));
    size += n;
  }
  return { type: "file", hex: hash.digest("hex"), size };
}

scope.onmessage = async (event) => {
  try {
    scope.postMessage(await hashWholeFile(event.data.path));
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ type: "error", name: e.name, message: e.message });
  }
};
