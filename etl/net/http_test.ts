import assert from "node:assert/strict";
import { ConfigError, RetriableError } from "../errors.ts";
import { Gate, withServer } from "./_test_server.ts";
import { Redactor, redactorFor, retryAfter, safeGet, type SafeGetOptions } from "./http.ts";
import { failure } from "../testing.ts";

const TOKEN = "tok-SECRET-4711";
const KEY = "key-SECRET-0815";

/** Loopback allowed; waits recorded instead of slept. */
function fast(extra: Partial<SafeGetOptions> = {}): SafeGetOptions & { waits: number[] } {
  const waits: number[] = [];
  return {
    allowPrivateNetwork: true,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 1,
    waits,
    ...extra,
  };
}

Deno.test("safeGet returns the body of a 200 and asks for JSON", async () => {
  await withServer(() => Response.json([{ id: 1 }]), async (server) => {
    const res = await safeGet(`${server.origin}/items`, fast());
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text()), [{ id: 1 }]);
    assert.equal(server.requests[0].headers.get("accept"), "application/json");
  });
});

Deno.test("safeGet sends each kind of credentials the server expects", async () => {
  await withServer(() => Response.json({}), async (server) => {
    const url = `${server.origin}/a?x=1`;
    await safeGet(url, fast({ auth: { kind: "bearer", token: TOKEN } }));
    await safeGet(url, fast({ auth: { kind: "basic", user: "anna", password: "pä$$" } }));
    await safeGet(url, fast({ auth: { kind: "apiKeyHeader", name: "X-Api-Key", key: KEY } }));
    await safeGet(url, fast({ auth: { kind: "apiKeyQuery", name: "api_key", key: KEY } }));
    await safeGet(url, fast({ headers: { "X-Clinic": "north" } }));
    const [bearer, basic, header, query, plain] = server.requests;
    assert.equal(bearer.headers.get("authorization"), `Bearer ${TOKEN}`);
    const decoded = new TextDecoder().decode(
      Uint8Array.from(atob(basic.headers.get("authorization")!.slice(6)), (c) => c.charCodeAt(0)),
    );
    assert.equal(decoded, "anna:pä$$");
    assert.equal(header.headers.get("x-api-key"), KEY);
    assert.equal(query.url.searchParams.get("api_key"), KEY);
    assert.equal(query.url.searchParams.get("x"), "1");
    assert.equal(plain.headers.get("x-clinic"), "north");
    assert.equal(plain.headers.get("authorization"), null);
  });
});

Deno.test("safeGet does not send credentials to another host on a redirect", async () => {
  await withServer(() => Response.json({ ok: true }), async (other) => {
    await withServer(
      () => Response.redirect(`${other.origin}/elsewhere`, 302),
      async (server) => {
        const res = await safeGet(
          `${server.origin}/start`,
          fast({ auth: { kind: "bearer", token: TOKEN } }),
        );
        assert.deepEqual(JSON.parse(res.text()), { ok: true });
        assert.equal(server.requests[0].headers.get("authorization"), `Bearer ${TOKEN}`);
        assert.equal(other.requests[0].headers.get("authorization"), null);
      },
    );
  });
});

Deno.test("safeGet waits as Retry-After says on 429, then succeeds", async () => {
  let calls = 0;
  const handler = () =>
    ++calls === 1
      ? new Response("slow down", { status: 429, headers: { "retry-after": "1" } })
      : Response.json({ ok: true });
  await withServer(handler, async (server) => {
    const started = performance.now();
    const res = await safeGet(`${server.origin}/`, { allowPrivateNetwork: true });
    assert.ok(performance.now() - started >= 950, "waited the second Retry-After asked for");
    assert.deepEqual(JSON.parse(res.text()), { ok: true });
    assert.equal(calls, 2);
  });
});

Deno.test("safeGet honours Retry-After as an HTTP date, capped", async () => {
  const now = Date.parse("2026-11-26T10:00:00Z");
  assert.equal(retryAfter("Thu, 26 Nov 2026 10:00:07 GMT", now), 7000);
  assert.equal(retryAfter("120", now), 120_000);
  assert.equal(retryAfter("soon", now), undefined);
  let calls = 0;
  const handler = () =>
    ++calls < 3
      ? new Response("", { status: 503, headers: { "retry-after": "3600" } })
      : Response.json([]);
  await withServer(handler, async (server) => {
    const options = fast({ maxDelayMs: 5000 });
    await safeGet(`${server.origin}/`, options);
    assert.deepEqual(options.waits, [5000, 5000]);
  });
});

Deno.test("safeGet retries a 500 twice with growing backoff, then succeeds", async () => {
  let calls = 0;
  const handler = () =>
    ++calls <= 2 ? new Response("oops", { status: 500 }) : Response.json({ ok: 1 });
  await withServer(handler, async (server) => {
    const options = fast({ backoffMs: 400 });
    const res = await safeGet(`${server.origin}/`, options);
    assert.deepEqual(JSON.parse(res.text()), { ok: 1 });
    assert.equal(calls, 3);
    assert.deepEqual(options.waits, [400, 800]);
  });
});

Deno.test("safeGet gives up on a server that keeps failing, with a readable message", async () => {
  await withServer(() => new Response("down", { status: 502 }), async (server) => {
    const url = `${server.origin}/patients?api_key=${KEY}&page=2`;
    const options = fast({
      maxAttempts: 3,
      auth: { kind: "apiKeyQuery", name: "api_key", key: KEY },
    });
    const err = await failure(() => safeGet(url, options));
    assert.ok(err instanceof RetriableError);
    assert.equal(
      err.message,
      `The server at ${server.origin}/patients?api_key=***&page=2 answered HTTP 502 (Bad Gateway) after 3 attempts: the server is failing or overloaded; try again later`,
    );
    assert.equal(server.requests.length, 3);
    assert.equal(options.waits.length, 2);
  });
});

Deno.test("safeGet reports a 404 with its status and the start of the body", async () => {
  const body = `{"error": "no such endpoint", "detail": "${"x".repeat(400)}"}`;
  await withServer(() => new Response(body, { status: 404 }), async (server) => {
    const err = await failure(() => safeGet(`${server.origin}/nope`, fast()));
    assert.ok(err instanceof ConfigError);
    assert.match(
      err.message,
      new RegExp(
        `^The server at ${server.origin}/nope answered HTTP 404 \\(Not Found\\): "\\{"error": "no such endpoint"`,
      ),
    );
    assert.ok(err.message.length < 320, "only the start of the body");
    assert.equal(server.requests.length, 1, "a 404 is not retried");
  });
});

Deno.test("safeGet says to check the credentials on 401 and never shows them", async () => {
  const echo = (req: Request, url: URL) =>
    new Response(
      `invalid credentials: ${req.headers.get("authorization")} ${url.searchParams.get("key")}`,
      { status: 401 },
    );
  await withServer(echo, async (server) => {
    for (
      const auth of [
        { kind: "bearer", token: TOKEN },
        { kind: "apiKeyQuery", name: "key", key: KEY },
        { kind: "basic", user: "anna", password: "hunter22" },
      ] as const
    ) {
      const err = await failure(() => safeGet(`${server.origin}/x`, fast({ auth })));
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /HTTP 401 \(Unauthorized\).*check the credentials/);
      for (const secret of [TOKEN, KEY, "hunter22", btoa("anna:hunter22")]) {
        assert.ok(!err.message.includes(secret), `${auth.kind}: ${err.message}`);
      }
    }
  });
});

Deno.test("safeGet gives up on a server that does not answer in time", async () => {
  const gate = new Gate();
  await withServer(async () => {
    await gate.wait();
    return Response.json([]);
  }, async (server) => {
    const err = await failure(() =>
      safeGet(`${server.origin}/slow`, fast({ timeoutMs: 150, maxAttempts: 2 }))
    );
    gate.open();
    assert.ok(err instanceof RetriableError);
    assert.equal(
      err.message,
      `The server at ${server.origin}/slow did not answer within 0.15 seconds (2 attempts); try again later or raise timeoutSeconds`,
    );
  });
});

Deno.test("safeGet gives up on a body that stops arriving", async () => {
  const gate = new Gate();
  const trickle = () =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode("[1,"));
        },
        async pull(c) {
          await gate.wait();
          c.close();
        },
      }),
    );
  await withServer(trickle, async (server) => {
    const err = await failure(() =>
      safeGet(`${server.origin}/trickle`, fast({ timeoutMs: 150, maxAttempts: 1 }))
    );
    gate.open();
    assert.ok(err instanceof RetriableError);
    assert.match(err.message, /did not answer within 0\.15 seconds \(1 attempt\)/);
  });
});

Deno.test("safeGet stops reading a response past the size cap", async () => {
  const chunk = new TextEncoder().encode(`"${"a".repeat(998)}",`);
  const streamed = () =>
    new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < 50; i++) c.enqueue(chunk);
          c.close();
        },
      }),
    );
  for (const handler of [streamed, () => new Response("b".repeat(5000))]) {
    await withServer(handler, async (server) => {
      const err = await failure(() => safeGet(`${server.origin}/big`, fast({ maxBytes: 4000 })));
      assert.ok(err instanceof ConfigError);
      assert.equal(
        err.message,
        `The response from ${server.origin}/big is larger than 4 KB, the limit; ask for smaller pages (page size) or raise maxResponseMB`,
      );
    });
  }
});

Deno.test("safeGet refuses a redirect to a private or metadata address", async () => {
  for (
    const target of [
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.1/",
      "http://[::ffff:a9fe:a9fe]/",
    ]
  ) {
    await withServer(() => Response.redirect(target, 302), async (server) => {
      // Loopback is allowed (the test server), every other private range is not.
      const options = fast({ allowPrivateNetwork: false, allowLoopback: true });
      const err = await failure(() => safeGet(`${server.origin}/start`, options));
      assert.ok(err instanceof ConfigError, target);
      assert.match(
        err.message,
        new RegExp(
          `^The server at ${server.origin}/start redirected to http://.+, which is refused: the host ".+" resolves to .+, a private or local network address`,
        ),
      );
      assert.equal(server.requests.length, 1);
    });
  }
});

Deno.test("safeGet refuses a private host when the deployment does not allow it", async () => {
  await withServer(() => Response.json([]), async (server) => {
    for (const url of [`${server.origin}/`, `http://localhost:${new URL(server.origin).port}/`]) {
      const err = await failure(() => safeGet(url, fast({ allowPrivateNetwork: false })));
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /resolves to .*a private or local network address/);
    }
    assert.equal(server.requests.length, 0, "nothing was sent");
  });
});

Deno.test("safeGet refuses redirect loops, other schemes and credentials in the address", async () => {
  await withServer((_req, url) => Response.redirect(`${url.origin}/loop`, 307), async (server) => {
    const err = await failure(() => safeGet(`${server.origin}/`, fast()));
    assert.match(err.message, /redirected more than 5 times; use the final address instead$/);
    assert.equal(server.requests.length, 6);
  });
  const ftp = await failure(() => safeGet("ftp://example.org/file", fast()));
  assert.equal(ftp.message, 'Only http and https addresses can be read, not "ftp:"');
  const userinfo = await failure(() => safeGet("http://anna:hunter22@127.0.0.1:1/", fast()));
  assert.match(userinfo.message, /sign-in fields \(auth: basic\), not in the address/);
  assert.ok(!userinfo.message.includes("hunter22"));
});

Deno.test("safeGet says when a server cannot be reached", async () => {
  let port = 0;
  await withServer(() => new Response(), (server) => {
    port = Number(new URL(server.origin).port);
    return Promise.resolve();
  });
  const err = await failure(() =>
    safeGet(`http://127.0.0.1:${port}/x?token=${TOKEN}`, fast({ maxAttempts: 2 }))
  );
  assert.ok(err instanceof RetriableError);
  assert.equal(
    err.message,
    `Could not reach http://127.0.0.1:${port}/x?token=*** after 2 attempts: the connection was refused; try again later`,
  );
});

Deno.test("safeGet stops waiting when the run is cancelled", async () => {
  const controller = new AbortController();
  await withServer(() => new Response("", { status: 503 }), async (server) => {
    setTimeout(() => controller.abort(), 50);
    const err = await failure(() =>
      safeGet(`${server.origin}/`, { allowPrivateNetwork: true, signal: controller.signal })
    );
    assert.equal(err.message, "The run was cancelled");
  });
});

Deno.test("Redactor masks URLs for messages and strips them for cursors", () => {
  const redact = redactorFor({ kind: "apiKeyQuery", name: "k", key: KEY });
  const url = `https://api.example.org/v1?k=${KEY}&page_token=a%20b&token=t1&x=${KEY}`;
  assert.equal(
    redact.show(url),
    "https://api.example.org/v1?k=***&page_token=a%20b&token=***&x=***",
  );
  assert.equal(redact.strip(url), "https://api.example.org/v1?page_token=a%20b&token=t1");
  assert.equal(redact.strip("https://h.org/p?a=1+2"), "https://h.org/p?a=1+2");
  assert.equal(redact.text(`said ${KEY} twice ${encodeURIComponent(KEY)}`), "said *** twice ***");
  assert.equal(new Redactor([]).show("https://u:p@h.org/"), "https://h.org/");
});
