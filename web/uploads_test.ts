import assert from "node:assert/strict";
import { join } from "node:path";
import { SESSION_COOKIE } from "../routes/principal.ts";
import { accountsApp } from "./_testing.ts";
import {
  findUpload,
  listUploads,
  safeFileName,
  storeUpload,
  UPLOAD_MAX_BYTES,
  UploadError,
  UPLOADS_PATH,
} from "./uploads.ts";

const streamOf = (...chunks: string[]) =>
  ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c)));

/** Every file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  await walk(dir, "");
  return out;
}

Deno.test("storeUpload streams a file under uploads/<random>/ and lists it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const saved = await storeUpload(root, "Patients 2024 (final).CSV", streamOf("a,b\n", "1,2\n"));
    assert.match(saved.path, /^uploads\/[0-9a-f]{32}\/Patients_2024_final_\.CSV$/);
    assert.equal(saved.bytes, 8);
    assert.equal(await Deno.readTextFile(join(root, saved.path)), "a,b\n1,2\n");
    assert.deepEqual(await findUpload(root, saved.path), {
      path: saved.path,
      name: saved.name,
      bytes: 8,
    });
    const listed = await listUploads(root);
    assert.deepEqual(listed.map((u) => u.path), [saved.path]);
    // Paths that are not one of the uploads are not found.
    assert.equal(await findUpload(root, "../etc/passwd"), undefined);
    assert.equal(await findUpload(root, "uploads/../../x.csv"), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("storeUpload refuses a file over the limit, a cut upload and a wrong type, leaving nothing", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assert.rejects(
      storeUpload(root, "big.csv", streamOf("0123456789", "0123456789"), 15),
      (err: UploadError) => err.status === 413 && /larger than/.test(err.message),
    );
    const cut = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("a,b\n1,2\n"));
        c.error(new Error("connection reset"));
      },
    });
    await assert.rejects(
      storeUpload(root, "cut.csv", cut),
      (err: UploadError) => err.status === 400 && /interrupted/.test(err.message),
    );
    await assert.rejects(
      storeUpload(root, "empty.csv", streamOf()),
      (err: UploadError) => /empty/.test(err.message),
    );
    assert.deepEqual(await filesUnder(root), []);
    assert.throws(() => safeFileName("report.xlsx"), (e: UploadError) => e.status === 415);
    assert.throws(() => safeFileName("../../"), /has no name/);
    assert.equal(safeFileName("C:\\data\\..\\kids.tsv"), "kids.tsv");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("PUT /app/uploads stores the file in the tenant's own folder and answers its path", async () => {
  const t = await accountsApp({ tenantFiles: true });
  try {
    const owner = await t.signUp();
    const put = (name: string, body: string, headers: Record<string, string> = {}) =>
      t.app.request(`${t.base}${UPLOADS_PATH}?name=${encodeURIComponent(name)}`, {
        method: "PUT",
        headers: {
          Origin: t.base,
          Cookie: `${SESSION_COOKIE}=${owner.cookie}`,
          "X-CSRF-Token": owner.csrf,
          "Content-Type": "text/csv",
          ...headers,
        },
        body,
      });
    const res = await put("patients.csv", "Id,NAME\n1,Ana\n");
    assert.equal(res.status, 201);
    const saved = await res.json();
    assert.equal(saved.name, "patients.csv");
    assert.equal(saved.bytes, 14);
    const root = join(t.deps.inputRoot, owner.tenant);
    assert.equal(await Deno.readTextFile(join(root, saved.path)), "Id,NAME\n1,Ana\n");

    const wrong = await put("photo.png", "x");
    assert.equal(wrong.status, 415);
    assert.match((await wrong.json()).error, /not a file type we can read/);
    const huge = await put("big.csv", "x", { "Content-Length": String(UPLOAD_MAX_BYTES + 1) });
    assert.equal(huge.status, 413);
    assert.match((await huge.json()).error, /larger than 200 MB/);
    const noToken = await put("a.csv", "a\n1\n", { "X-CSRF-Token": "" });
    assert.equal(noToken.status, 403);

    // Another organisation's folder is its own.
    const other = await t.signUp();
    assert.equal(await findUpload(join(t.deps.inputRoot, other.tenant), saved.path), undefined);
  } finally {
    await t.close();
  }
});
