/**
 * `GET /static/*`: the stylesheet, images and island bundles under `static/`, and nothing
 * outside it. Bundles and CSS are cached briefly and revalidated (they change on deploys).
 * @module
 */
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

const ROOT = fileURLToPath(new URL("../static/", import.meta.url));

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** The `/static` routes. */
export function staticRoutes(): Hono {
  const app = new Hono();
  app.get("/*", async (c) => {
    const rel = normalize(decodeURIComponent(c.req.path.replace(/^\/static\//, "")));
    const type = TYPES[extname(rel)];
    if (!type || rel.startsWith("..") || rel.startsWith("/")) return c.notFound();
    try {
      const file = await Deno.open(join(ROOT, rel), { read: true });
      const { size } = await file.stat();
      c.header("Content-Type", type);
      c.header("Content-Length", String(size));
      c.header("Cache-Control", "public, max-age=300");
      return c.body(file.readable);
    } catch {
      return c.notFound();
    }
  });
  return app;
}
