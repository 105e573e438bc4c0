/**
 * Reading response bodies without trusting their size: a capped read for data, a short read for
 * error bodies that only feed a message.
 * @module
 */

/**
 * The whole body, or `tooLarge()` thrown as soon as it passes `maxBytes` (checked against
 * Content-Length first, then while streaming, so an endless body costs at most the cap).
 */
export async function readCapped(
  res: Response,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  return concat(chunks, size);
}

/** The first 16 KB or so of a body as text; the rest is dropped unread. */
export async function readSnippet(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 16_384) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body cut short still says something.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(concat(chunks, size));
}

/** The start of a body on one line, quoted (about 200 characters), or "" when blank. */
export function quote(body: string): string {
  const line = body.replace(/\s+/g, " ").trim();
  if (line === "") return "";
  return `"${line.length > 200 ? `${line.slice(0, 200)}…` : line}"`;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
