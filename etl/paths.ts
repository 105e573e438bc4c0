/**
 * Path checks for everything that reads or writes files under a root: inputs, file outputs.
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import { ConfigError } from "./errors.ts";

/**
 * Resolve `path` under `root`, refusing absolute paths and anything that escapes the root.
 *
 * @example
 * ```ts
 * resolveInside("/srv/out", "a/b.csv"); // "/srv/out/a/b.csv"
 * resolveInside("/srv/out", "../x");    // throws ConfigError
 * ```
 */
export function resolveInside(root: string, path: string, what = "path"): string {
  if (path.trim() === "") throw new ConfigError(`The ${what} is empty`);
  if (isAbsolute(path)) {
    throw new ConfigError(`The ${what} "${path}" is absolute; give a path relative to the root`);
  }
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new ConfigError(`The ${what} "${path}" points outside its root folder`);
  }
  return full;
}
