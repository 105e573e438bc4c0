import assert from "node:assert/strict";
import { JsonBuffer, shareJson } from "./json_bytes.ts";

const utf8 = new TextEncoder();

function written(value: unknown): Uint8Array {
  const out = new JsonBuffer();
  out.begin();
  out.json(value);
  return out.bytes().slice();
}

function expected(value: unknown): Uint8Array {
  return utf8.encode(String(JSON.stringify(value)));
}

/** mulberry32: the same values on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = [
  ..."abcXYZ019 .-_/:",
  '"',
  "\\",
  "\n",
  "\r",
  "\t",
  "\b",
  "\f",
  "\x00",
  "\x01",
  "\x1f",
  "\x7f",
  "é",
  "ñ",
  "ß",
  "€",
  "\u2028",
  "\uffff",
  "😀",
  "\ud800",
  "\udc00",
  "\udbff",
];

function randomString(rnd: () => number): string {
  let s = "";
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) s += CHARS[Math.floor(rnd() * CHARS.length)];
  return s;
}

function randomValue(rnd: () => number, depth: number): unknown {
  const k = Math.floor(rnd() * (depth > 3 ? 7 : 10));
  switch (k) {
    case 0:
      return randomString(rnd);
    case 1:
      return [0, -0, 1.5, -3, 1e21, 5e-7, NaN, Infinity, 2 ** 53, 123456789][
        Math.floor(rnd() * 10)
      ];
    case 2:
      return rnd() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return rnd() < 0.5 ? () => 1 : Symbol("s");
    case 6:
      return randomString(rnd) + randomString(rnd);
    case 7: {
      const a: unknown[] = [];
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) a.push(randomValue(rnd, depth + 1));
      return a;
    }
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) {
        const key = rnd() < 0.2 ? String(Math.floor(rnd() * 5)) : randomString(rnd);
        o[key] = randomValue(rnd, depth + 1);
      }
      return o;
    }
  }
}

Deno.test("JsonBuffer writes the bytes JSON.stringify and TextEncoder give, for 20,000 random values", () => {
  const rnd = random(7);
  for (let i = 0; i < 20_000; i++) {
    const value = randomValue(rnd, 0);
    assert.deepEqual(written(value), expected(value), JSON.stringify(value));
  }
});

Deno.test("JsonBuffer hands Dates, toJSON, class instances and boxed values to JSON.stringify", () => {
  class Point {
    constructor(public x: number, public y: number) {}
  }
  const withToJson = { a: 1, toJSON: () => ({ replaced: true }) };
  const arrayToJson = Object.assign([1, 2], { toJSON: () => "array" });
  const values = [
    { when: new Date(Date.UTC(2020, 1, 3)) },
    { nested: [withToJson] },
    { arrayToJson },
    new Point(1, 2),
    [new String("boxed"), new Number(3), new Boolean(false)],
    Object.assign(Object.create(null), { b: 2, a: 1 }),
    { 2: "two", b: "b", 1: "one", a: "a" },
    {
      get lazy() {
        return "computed";
      },
    },
    undefined,
    () => 1,
    "\ud83d\ude00 lone \ud83d end",
  ];
  for (const v of values) assert.deepEqual(written(v), expected(v));
});

Deno.test("JsonBuffer throws as JSON.stringify does on bigints and cycles", () => {
  assert.throws(() => written({ n: 1n }), TypeError);
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  assert.throws(() => written(cycle), TypeError);
});

Deno.test("JsonBuffer copies a shared part's bytes into every value that holds it", () => {
  const part = shareJson(Object.freeze({ system: "http://loinc.org", code: "1-8", display: "é" }));
  const out = new JsonBuffer();
  out.begin();
  for (let i = 0; i < 3; i++) {
    out.json({ id: `r${i}`, code: part, list: [part] });
    out.byte(10);
  }
  const text = new TextDecoder().decode(out.bytes());
  const line = (i: number) => JSON.stringify({ id: `r${i}`, code: part, list: [part] });
  assert.equal(text, `${line(0)}\n${line(1)}\n${line(2)}\n`);
});

Deno.test("JsonBuffer falls back to JSON.stringify when a prototype gained enumerable members", () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.polluted = 1;
  try {
    const v = { a: [1] };
    assert.deepEqual(written(v), expected(v));
  } finally {
    delete proto.polluted;
  }
});

Deno.test("JsonBuffer grows for long values and text", () => {
  const long = 'x\u00e9"'.repeat(100_000);
  const out = new JsonBuffer();
  out.begin();
  out.text("start ");
  out.json({ long, list: [long] });
  assert.equal(
    new TextDecoder().decode(out.bytes()),
    "start " + JSON.stringify({ long, list: [long] }),
  );
});
