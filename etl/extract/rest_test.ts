import assert from "node:assert/strict";
import { ConfigError, RetriableError } from "../errors.ts";
import { type TestServer, withServer } from "../net/_test_server.ts";
import { assertEntryContract, failure, testContext } from "../testing.ts";
import type { Batch, Cursor } from "../types.ts";
import { nextLink } from "./_rest_paging.ts";
import { RestConfig, restExtractor } from "./rest.ts";

const KEY = "k3y-SECRET-99";
const TOTAL = 23;
const RECORDS = Array.from({ length: TOTAL }, (_, i) => ({ id: i, name: `p${i}`, tags: { n: i } }));

/** An API with one endpoint per pagination style over the same 23 records. */
function api(req: Request, url: URL): Response {
  const q = url.searchParams;
  const size = Number(q.get("per_page") ?? q.get("limit") ?? 5);
  const key = q.get("api_key") ? `&api_key=${q.get("api_key")}` : "";
  switch (url.pathname) {
    case "/page": {
      const page = Number(q.get("page"));
      return Response.json({ data: RECORDS.slice((page - 1) * size, page * size) });
    }
    case "/offset": {
      const offset = Number(q.get("offset"));
      return Response.json({ items: RECORDS.slice(offset, offset + size) });
    }
    case "/cursor": {
      const at = Number(q.get("cursor") ?? 0);
      const end = at + size;
      return Response.json({
        results: RECORDS.slice(at, end),
        meta: { next: end < TOTAL ? String(end) : null },
      });
    }
    case "/next": {
      const at = Number(q.get("after") ?? 0);
      const end = at + size;
      const next = end < TOTAL ? `/next?after=${end}${key}` : null;
      return Response.json({ data: RECORDS.slice(at, end), links: { next } });
    }
    case "/link": {
      const at = Number(q.get("from") ?? 0);
      const end = at + size;
      const headers = new Headers();
      if (end < TOTAL) {
        headers.set(
          "link",
          `</link?from=${end}>; rel="next", <${url.origin}/link?from=0>; rel="first"`,
        );
      }
      return Response.json(RECORDS.slice(at, end), { headers });
    }
    case "/echo-auth":
      return Response.json([{ auth: req.headers.get("authorization"), key: q.get("api_key") }]);
  }
  return new Response("no such endpoint", { status: 404 });
}

const STYLES: Record<string, Record<string, unknown>> = {
  page: { url: "/page", pagination: "page", recordsPointer: "/data", pageSize: 5 },
  offset: { url: "/offset", pagination: "offset", recordsPointer: "/items", pageSize: 5 },
  cursor: {
    url: "/cursor",
    pagination: "cursor",
    recordsPointer: "/results",
    cursorPointer: "/meta/next",
  },
  nextUrl: {
    url: "/next",
    pagination: "nextUrl",
    recordsPointer: "/data",
    nextPointer: "/links/next",
  },
  linkHeader: { url: "/link", pagination: "linkHeader" },
};

async function read(
  server: TestServer,
  config: Record<string, unknown>,
  options: { from?: Cursor; batchSize?: number; allowPrivateNetwork?: boolean } = {},
) {
  const ctx = testContext({ allowPrivateNetwork: options.allowPrivateNetwork ?? true });
  const parsed = RestConfig.parse({ ...config, url: `${server.origin}${config.url}` });
  const batches: Batch[] = [];
  const run = restExtractor.run(ctx, parsed, {
    batchSize: options.batchSize ?? 100,
    from: options.from,
  });
  for await (const batch of run) batches.push(batch);
  return {
    batches,
    ids: batches.flatMap((b) => b.rows.map((r) => r.id)),
    refs: batches.flatMap((b) => b.refs),
    rejected: batches.flatMap((b) => b.rejected ?? []),
    cursors: batches.map((b) => b.cursor),
  };
}

const ALL_IDS = RECORDS.map((r) => r.id);

Deno.test("restExtractor keeps the registry contract", () => {
  assertEntryContract(restExtractor);
  assert.deepEqual(restExtractor.secrets, ["token", "password", "apiKey"]);
});

Deno.test("restExtractor pages all five ways, every record once, one batch per page", async () => {
  await withServer(api, async (server) => {
    for (const [style, config] of Object.entries(STYLES)) {
      const { ids, batches, refs } = await read(server, config);
      assert.deepEqual(ids, ALL_IDS, style);
      assert.equal(batches.length, 5, `${style}: 5 pages of 5, 5, 5, 5, 3`);
      assert.deepEqual(batches[0].rows[0], { id: 0, name: "p0", tags: { n: 0 } }, style);
      assert.equal(refs[7].index, 2, `${style}: index within the page`);
      assert.match(refs[7].source, new RegExp(`^${server.origin}${config.url}`), style);
    }
  });
});

Deno.test("restExtractor resumes from a cursor mid-way with the remaining records once", async () => {
  await withServer(api, async (server) => {
    for (const [style, config] of Object.entries(STYLES)) {
      // Batches of 2 split each page, so cursors land both mid-page and on page boundaries.
      const first = await read(server, config, { batchSize: 2 });
      assert.deepEqual(first.ids, ALL_IDS, style);
      for (const at of [0, 2, 5, 8]) {
        const rest = await read(server, config, { batchSize: 2, from: first.cursors[at] });
        const before = first.batches.slice(0, at + 1).flatMap((b) => b.rows.map((r) => r.id));
        assert.deepEqual([...before, ...rest.ids], ALL_IDS, `${style} from batch ${at}`);
      }
      const end = await read(server, config, { from: first.cursors.at(-1) });
      assert.deepEqual(end.ids, [], `${style}: nothing after the end`);
    }
  });
});

Deno.test("restExtractor stops at maxPages and says so in the last cursor", async () => {
  await withServer(api, async (server) => {
    for (const [style, config] of Object.entries(STYLES)) {
      const limited = { ...config, maxPages: 2 };
      const { ids, cursors } = await read(server, limited);
      assert.deepEqual(ids, ALL_IDS.slice(0, 10), style);
      assert.equal(cursors.at(-1)?.stoppedAtPageLimit, true, style);
      assert.equal(cursors[0].stoppedAtPageLimit, undefined, style);
      const again = await read(server, limited, { from: cursors.at(-1) });
      assert.deepEqual(again.ids, [], `${style}: the limit holds on resume`);
      const raised = await read(server, { ...config, maxPages: 10 }, { from: cursors.at(-1) });
      assert.deepEqual(raised.ids, ALL_IDS.slice(10), `${style}: a raised limit reads on`);
    }
    const exact = await read(server, { ...STYLES.cursor, maxPages: 5 });
    assert.equal(exact.ids.length, TOTAL);
    assert.equal(exact.cursors.at(-1)?.stoppedAtPageLimit, undefined, "no more pages: no warning");
    assert.equal(exact.cursors.at(-1)?.end, true);
  });
});

Deno.test("restExtractor keeps the API key out of cursors and refs, and sends it on resume", async () => {
  await withServer(api, async (server) => {
    const config = {
      ...STYLES.nextUrl,
      auth: "apiKeyQuery",
      apiKeyName: "api_key",
      apiKey: KEY,
    };
    const first = await read(server, config, { batchSize: 5 });
    assert.deepEqual(first.ids, ALL_IDS);
    const stored = JSON.stringify([first.cursors, first.refs]);
    assert.ok(!stored.includes(KEY), stored);
    assert.equal(first.cursors[1].next, `${server.origin}/next?after=10`);
    const seen = server.requests.length;
    const rest = await read(server, config, { from: first.cursors[1] });
    assert.deepEqual(rest.ids, ALL_IDS.slice(10));
    for (const req of server.requests.slice(seen)) {
      assert.equal(req.url.searchParams.get("api_key"), KEY, "the key is added again");
    }
  });
});

Deno.test("restExtractor sends each kind of credentials", async () => {
  await withServer(api, async (server) => {
    const cases: [Record<string, unknown>, string | null, string | null][] = [
      [{ auth: "bearer", token: "t0ken-abc" }, "Bearer t0ken-abc", null],
      [{ auth: "basic", user: "anna", password: "pw-123" }, `Basic ${btoa("anna:pw-123")}`, null],
      [{ auth: "apiKeyQuery", apiKeyName: "api_key", apiKey: KEY }, null, KEY],
    ];
    for (const [auth, header, key] of cases) {
      const { batches } = await read(server, { url: "/echo-auth", ...auth });
      assert.deepEqual(batches[0].rows, [{ auth: header, key }]);
    }
    await read(server, {
      url: "/echo-auth",
      auth: "apiKeyHeader",
      apiKeyName: "X-Api-Key",
      apiKey: KEY,
      headers: { "X-Clinic": "north" },
    });
    const last = server.requests.at(-1)!;
    assert.equal(last.headers.get("x-api-key"), KEY);
    assert.equal(last.headers.get("x-clinic"), "north");
  });
});

Deno.test("restExtractor takes records at a pointer and says when none are there", async () => {
  const handler = (_req: Request, url: URL) =>
    url.pathname === "/deep"
      ? Response.json({ result: { items: [{ id: 1 }, { id: 2 }] } })
      : Response.json({ result: { items: { id: 1 } }, meta: {} });
  await withServer(handler, async (server) => {
    const deep = await read(server, { url: "/deep", recordsPointer: "/result/items" });
    assert.deepEqual(deep.ids, [1, 2]);
    const wrong = await failure(() =>
      read(server, { url: "/flat", recordsPointer: "/result/items" })
    );
    assert.ok(wrong instanceof ConfigError);
    assert.equal(
      wrong.message,
      `The response from ${server.origin}/flat has an object at recordsPointer "/result/items", so no list of records (its top-level fields: result, meta); set recordsPointer to the JSON pointer of the list, e.g. "/data"`,
    );
    const none = await failure(() => read(server, { url: "/flat" }));
    assert.equal(
      none.message,
      `The response from ${server.origin}/flat is an object, not a list of records (its top-level fields: result, meta); set recordsPointer to the JSON pointer of the list, e.g. "/data"`,
    );
  });
});

Deno.test("restExtractor rejects records that are not objects and keeps nested values", async () => {
  const body = [{ id: 1, address: { city: "Köln" }, codes: [1, 2] }, "oops", 42, null, { id: 2 }];
  await withServer(() => Response.json(body), async (server) => {
    const { batches, rejected } = await read(server, { url: "/mixed" });
    assert.deepEqual(batches[0].rows, [{ id: 1, address: { city: "Köln" }, codes: [1, 2] }, {
      id: 2,
    }]);
    assert.deepEqual(batches[0].refs.map((r) => r.index), [0, 4]);
    assert.deepEqual(rejected.map((r) => [r.ref.index, r.reason]), [
      [1, "record 1 is a string, expected an object"],
      [2, "record 2 is a number, expected an object"],
      [3, "record 3 is null, expected an object"],
    ]);
    assert.equal(rejected[0].ref.source, `${server.origin}/mixed`);
  });
});

Deno.test("restExtractor says when the API ignores the page parameter or loops", async () => {
  const handler = (_req: Request, url: URL) =>
    url.pathname === "/same"
      ? Response.json([{ id: 1 }])
      : Response.json({ data: [{ id: 1 }], next: `${url.origin}/self` });
  await withServer(handler, async (server) => {
    const same = await failure(() => read(server, { url: "/same", pagination: "page" }));
    assert.ok(same instanceof ConfigError);
    assert.match(
      same.message,
      /^The API returned the same records for .* as for the page before: it seems to ignore the "page" parameter/,
    );
    const loop = await failure(() =>
      read(server, {
        url: "/self",
        pagination: "nextUrl",
        recordsPointer: "/data",
        nextPointer: "/next",
      })
    );
    assert.match(
      loop.message,
      /is a page already read, so paging would never end; check the pagination settings$/,
    );
  });
});

Deno.test("restExtractor reports HTTP errors readably, never showing the credentials", async () => {
  let calls = 0;
  const handler = (req: Request, url: URL) => {
    if (url.pathname === "/flaky") {
      return ++calls === 1 ? new Response("", { status: 500 }) : Response.json([{ id: 1 }]);
    }
    if (url.pathname === "/down") return new Response("maintenance", { status: 503 });
    return new Response(`bad token ${req.headers.get("authorization")}`, { status: 401 });
  };
  await withServer(handler, async (server) => {
    const flaky = await read(server, { url: "/flaky" });
    assert.deepEqual(flaky.ids, [1], "a 500 is retried");
    const down = await failure(() => read(server, { url: "/down", maxAttempts: 1 }));
    assert.ok(down instanceof RetriableError);
    assert.equal(
      down.message,
      `The server at ${server.origin}/down answered HTTP 503 (Service Unavailable) after 1 attempt: the server is failing or overloaded; try again later`,
    );
    const denied = await failure(() =>
      read(server, { url: "/x", auth: "bearer", token: "t0ken-abc" })
    );
    assert.ok(denied instanceof ConfigError);
    assert.equal(
      denied.message,
      `The server at ${server.origin}/x answered HTTP 401 (Unauthorized): "bad token Bearer ***"; check the credentials (token, user and password, or API key)`,
    );
  });
});

Deno.test("restExtractor applies the size cap and the private-network policy", async () => {
  await withServer(() => Response.json(RECORDS), async (server) => {
    const big = await failure(() => read(server, { url: "/all", maxResponseMB: 0.0005 }));
    assert.match(big.message, /is larger than 500 bytes, the limit; .* raise maxResponseMB$/);
    const refused = await failure(() =>
      read(server, { url: "/all" }, { allowPrivateNetwork: false })
    );
    assert.ok(refused instanceof ConfigError);
    assert.match(
      refused.message,
      /^The host "127\.0\.0\.1" resolves to 127\.0\.0\.1, a private or local network address/,
    );
    assert.equal(server.requests.length, 1, "only the size-capped request reached the server");
  });
});

Deno.test("restExtractor test() reads the first page", async () => {
  await withServer(api, async (server) => {
    const ctx = testContext({ allowPrivateNetwork: true });
    const config = RestConfig.parse({ ...STYLES.page, url: `${server.origin}/page` });
    const check = await restExtractor.test!(ctx, config);
    assert.equal(
      check.message,
      `Reached ${new URL(server.origin).host}: HTTP 200, 5 records on the first page`,
    );
    assert.equal(server.requests.length, 1);
    assert.deepEqual(await restExtractor.fingerprint(ctx, config), []);
  });
});

Deno.test("RestConfig lists what each pagination and sign-in needs", () => {
  const result = RestConfig.safeParse({
    url: "https://api.example.org/v1",
    pagination: "cursor",
    auth: "apiKeyQuery",
  });
  assert.equal(result.success, false);
  const problems = result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  assert.deepEqual(problems.sort(), [
    'apiKey: auth "apiKeyQuery" needs the API key',
    'apiKeyName: auth "apiKeyQuery" needs the header or parameter name (apiKeyName)',
    'cursorPointer: pagination "cursor" needs the cursor\'s JSON pointer, e.g. "/meta/next"',
  ]);
  const ftp = RestConfig.safeParse({ url: "ftp://example.org/x" });
  assert.match(ftp.error!.issues[0].message, /must be an http or https address/);
});

Deno.test("nextLink finds rel=next in a Link header, quoted or not, among other relations", () => {
  assert.equal(
    nextLink('<https://a.org/p?page=1>; rel="prev", <https://a.org/p?page=3>; rel=next'),
    "https://a.org/p?page=3",
  );
  assert.equal(nextLink('</items?after=x>; title="more"; rel="next last"'), "/items?after=x");
  assert.equal(nextLink('<https://a.org/p?page=1>; rel="first"'), undefined);
  assert.equal(nextLink(null), undefined);
});
