/**
 * `deno task build`: bundle each island (a small Preact component that runs in the browser) into
 * `static/build/<name>.js` with `deno bundle`, minified, and print the sizes. `deno task start`
 * runs it first; the browser tests call {@link buildIslands} before they start.
 * @module
 */
import { fileURLToPath } from "node:url";

/** The islands, by name: `islands/<name>.tsx` → `static/build/<name>.js`. An explicit list. */
export const ISLANDS: readonly string[] = ["upload", "mapping_preview", "run_status"];

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Bundle every island; returns the size in bytes of each bundle. */
export async function buildIslands(
  names: readonly string[] = ISLANDS,
): Promise<Record<string, number>> {
  await Deno.mkdir(`${ROOT}static/build`, { recursive: true });
  const sizes: Record<string, number> = {};
  for (const name of names) {
    const out = `${ROOT}static/build/${name}.js`;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        `islands/${name}.tsx`,
        "-o",
        out,
      ],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(`Bundling island "${name}" failed:\n${new TextDecoder().decode(stderr)}`);
    }
    sizes[name] = (await Deno.stat(out)).size;
  }
  return sizes;
}

if (import.meta.main) {
  const sizes = await buildIslands();
  for (const [name, size] of Object.entries(sizes)) {
    console.log(`island ${name}: ${(size / 1024).toFixed(1)} KiB`);
  }
}
