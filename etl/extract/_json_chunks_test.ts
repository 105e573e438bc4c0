import assert from "node:assert/strict";
import { ByteCounter, readChunks } from "./_json_chunks.ts";

Deno.test("readChunks never splits a character across pieces of a one-line file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The 1 MiB boundary falls inside the 4-byte 💉.
    const text = `${"a".repeat((1 << 20) - 2)}💉 and é after`;
    await Deno.writeTextFile(`${dir}/one.json`, text);
    const pieces = [];
    for await (const p of readChunks(`${dir}/one.json`, 0, "utf-8", "one.json")) pieces.push(p);
    assert.equal(pieces.map((p) => p.text).join(""), text);
    const size = new TextEncoder().encode(text).length;
    assert.deepEqual(pieces.map((p) => p.offset), [0, (1 << 20) - 2, size]);
    assert.ok(pieces[1].text.startsWith("💉"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ByteCounter gives the UTF-8 byte offset of any position", () => {
  const text = 'a é € 💉 "z"\n';
  const bytes = new ByteCounter(text, 10, "utf-8");
  for (let pos = 0; pos <= text.length; pos++) {
    if (text.charCodeAt(pos - 1) >= 0xd800 && text.charCodeAt(pos - 1) < 0xdc00) continue;
    const expected = 10 + new TextEncoder().encode(text.slice(0, pos)).length;
    assert.equal(bytes.at(pos), expected, `position ${pos}`);
  }
  assert.equal(new ByteCounter("é€", 0, "windows-1252").at(2), 2);
});
