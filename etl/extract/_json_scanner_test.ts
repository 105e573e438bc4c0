import assert from "node:assert/strict";
import { JsonScanner, parsePointer } from "./_json_scanner.ts";

/** Scan text given as pieces; returns the elements' parsed values, lines and indexes. */
function scan(pointer: string | null, pieces: string[]) {
  const scanner = new JsonScanner(pointer);
  const out = pieces.flatMap((p, i) => scanner.push(p, i === pieces.length - 1));
  scanner.finish();
  return out.map((e) => ({ value: JSON.parse(e.text), line: e.line, index: e.index }));
}

const TRICKY = `{
  "meta": {"note": "a [tricky] {value} with \\"quotes\\" and \\\\", "list": [1, [2, {"x": "]"}]]},
  "odd\\/key": 1,
  "data": {
    "skip": [{"patients": "no"}],
    "patients": [
      {"id": "1", "name": "O'Brien \\"Pat\\" [x]", "note": "\\u00e9\\ud83d\\udc89 }{"},
      {"id": "2", "nested": {"a": [1, 2, {"b": "\\\\"}]}, "n": -1.5e3, "t": true},
      "scalar", 42, null, [1, 2]
    ],
    "after": "ignored ] }"
  }
}
`;

Deno.test("JsonScanner cuts the same elements wherever the pieces are split", () => {
  const whole = scan("/data/patients", [TRICKY]);
  assert.deepEqual(whole.map((e) => e.value), [
    { id: "1", name: 'O\'Brien "Pat" [x]', note: "é💉 }{" },
    { id: "2", nested: { a: [1, 2, { b: "\\" }] }, n: -1500, t: true },
    "scalar",
    42,
    null,
    [1, 2],
  ]);
  const positions = whole.map((e) => `${e.line}:${e.index}`);
  assert.deepEqual(positions, ["7:0", "8:1", "9:2", "9:3", "9:4", "9:5"]);
  for (let i = 0; i <= TRICKY.length; i++) {
    const split = scan("/data/patients", [TRICKY.slice(0, i), TRICKY.slice(i)]);
    assert.deepEqual(split, whole, `split at ${i}`);
  }
  const bySingleChars = scan("/data/patients", [...TRICKY]);
  assert.deepEqual(bySingleChars, whole);
});

Deno.test("JsonScanner follows escaped keys and array indexes in a pointer", () => {
  const text = '{"a/b": [{"x": 0}, {"m~n": [{"id": 1}]}]}';
  assert.deepEqual(parsePointer("/a~1b/1/m~0n"), ["a/b", "1", "m~n"]);
  assert.deepEqual(scan("/a~1b/1/m~0n", [text]).map((e) => e.value), [{ id: 1 }]);
  const escapedKey = '{"\\u0065ntry": [{"id": 2}]}';
  assert.deepEqual(scan("/entry", [escapedKey]).map((e) => e.value), [{ id: 2 }]);
});

Deno.test("JsonScanner reads a top-level array and a lone object", () => {
  assert.deepEqual(scan("", ['[{"a":1},{"a":2}]']).map((e) => e.value), [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(scan("", ["[ ]"]), []);
  assert.deepEqual(scan(null, ['  {"a": [1]}\n']).map((e) => e.value), [{ a: [1] }]);
});

Deno.test("JsonScanner says where the array is missing or not closed", () => {
  const fails = (pointer: string | null, text: string, message: string) => {
    const scanner = new JsonScanner(pointer);
    assert.throws(() => {
      scanner.push(text, true);
      scanner.finish();
    }, { message });
  };
  fails("/data", '{"other": []}', "no array at /data");
  fails("/data", '{"data": {"a": 1}}', "no array at /data (found an object)");
  fails("", '{"a": 1}', "no array at the top level (found an object)");
  fails(
    "/entry",
    '{"entry": [\n{"a": 1},\n{"a": 2\n',
    "the array at /entry is not closed (file ends at line 3)",
  );
  fails("", "[1, 2\n", "the top-level array is not closed (file ends at line 1)");
  fails(
    "/entry",
    '{"entry": []\n',
    "the JSON is not closed after the records (file ends at line 1)",
  );
  fails("/entry", '{"a": 1 "entry": []}', 'expected "," or "}" at line 1, found "\\""');
  fails("", "", "the file is empty");
  fails(
    null,
    '{"a": 1}\n{"a": 2}\n',
    'unexpected text after the end of the JSON value at line 2, found "{"',
  );
});

Deno.test("JsonScanner resumes after an element from its frames", () => {
  const text = '{"entry": [{"a": 1}, {"a": 2}, {"a": 3}]}';
  const first = new JsonScanner("/entry");
  const all = first.push(text, true);
  assert.equal(first.frames, "{[");
  const resumed = new JsonScanner("/entry", { resume: { frames: "{[", index: 2 } });
  const rest = resumed.push(text.slice(all[1].end), true);
  resumed.finish();
  assert.deepEqual(rest.map((e) => [e.text, e.index]), [['{"a": 3}', 2]]);
});
