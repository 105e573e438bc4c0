/**
 * A real HTTP server on 127.0.0.1 (a free port) for the tests of outbound clients and API
 * sources. It records every request it saw, and {@link withServer} closes it when the test ends
 * so the leak sanitizers pass.
 * @module
 */

/** A request as the test server saw it. */
export interface SeenRequest {
  url: URL;
  headers: Headers;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order. */
  requests: SeenRequest[];
}

/** Answers one request; `url` is the parsed request URL. */
export type TestHandler = (req: Request, url: URL) => Response | Promise<Response>;

/**
 * Serve `handler` on 127.0.0.1 while `fn` runs, then shut the server down.
 *
 * @example
 * ```ts
 * await withServer(() => Response.json([{ id: 1 }]), async (server) => {
 *   const res = await fetch(`${server.origin}/items`);
 *   await res.body?.cancel();
 * });
 * ```
 */
export async function withServer(
  handler: TestHandler,
  fn: (server: TestServer) => Promise<void>,
): Promise<void> {
  const requests: SeenRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    requests.push({ url, headers: req.headers });
    return handler(req, url);
  });
  try {
    await fn({ origin: `http://127.0.0.1:${server.addr.port}`, requests });
  } finally {
    await server.shutdown();
  }
}

/**
 * Holds slow handlers until the test opens it, so a server that "never answers" still lets the
 * test shut it down.
 */
export class Gate {
  #open = false;
  #waiting: (() => void)[] = [];

  /** Resolves when the gate opens. */
  wait(): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Release every waiting handler, now and later. */
  open(): void {
    this.#open = true;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}
