import assert from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { readPieces, type TextPiece } from "./_text_file.ts";

const utf8 = new TextEncoder();

async function withFile(bytes: Uint8Array, fn: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeFile(path, bytes);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

async function pieces(path: string, offset = 0): Promise<TextPiece[]> {
  const out: TextPiece[] = [];
  for await (const p of readPieces(path, offset, "utf-8", "data.csv")) out.push(p);
  return out;
}

Deno.test("readPieces() returns the whole file in pieces that end at line breaks, with byte offsets", async () => {
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) lines.push(`${i},José Ñúñez,€${i % 7},😀`);
  lines.splice(20_000, 0, "x".repeat(200_000), "é".repeat(150_000)); // lines longer than a piece
  const text = lines.join("\n") + "\nlast line without a break";
  await withFile(utf8.encode(text), async (path) => {
    const got = await pieces(path);
    assert.equal(got.map((p) => p.text).join(""), text);
    assert.ok(got.length > 20, `${got.length} pieces`);
    let offset = 0;
    got.forEach((p, i) => {
      assert.equal(p.offset, offset);
      offset += utf8.encode(p.text).length;
      assert.equal(p.final, i === got.length - 1);
      if (!p.final) assert.ok(p.text.endsWith("\n"));
    });
    // Resuming from a piece's offset gives the rest of the file.
    const from = got[7];
    const rest = await pieces(path, from.offset);
    assert.equal(rest.map((p) => p.text).join(""), got.slice(7).map((p) => p.text).join(""));
  });
});

Deno.test("readPieces() yields one empty final piece for an empty file", async () => {
  await withFile(new Uint8Array(0), async (path) => {
    assert.deepEqual(await pieces(path), [{ text: "", offset: 0, final: true }]);
  });
});

Deno.test("readPieces() keeps a U+FFFD that is in the file and names the offset of bad bytes", async () => {
  await withFile(utf8.encode("a,\uFFFD\nb,c\n"), async (path) => {
    assert.equal((await pieces(path)).map((p) => p.text).join(""), "a,\uFFFD\nb,c\n");
  });
  const bad = new Uint8Array([...utf8.encode("a,b\n".repeat(30_000)), 0xff, 0x0a]);
  await withFile(bad, async (path) => {
    await assert.rejects(
      () => pieces(path),
      (err) =>
        err instanceof ConfigError && /not valid utf-8/.test(err.message) &&
        /after offset \d+/.test(err.message),
    );
  });
});
