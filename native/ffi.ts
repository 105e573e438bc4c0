/**
 * Native libraries through Deno's FFI, where they are faster than what runs on the run's own
 * thread: glibc for direct writes (`etl/load/_direct_io.ts`), OpenSSL's libcrypto for hashes
 * (`sha256.ts`, `sha1.ts`). Each use has a TypeScript or `node:crypto` fallback that gives the
 * same bytes, taken where a library cannot be used: not Linux on x86_64 or aarch64, no `ffi`
 * permission, the library missing, or native code turned off (`NATIVE=0`, see
 * {@link setNative}).
 * @module
 */

let enabled = true;
let epoch = 1;
const opened = new Map<string, unknown>();

/**
 * Turn native code off (or on again) for this thread (each Web Worker has its own setting);
 * what was opened stays, what is opened from now on falls back. The portal calls it with its
 * `NATIVE` setting when it starts the engine.
 */
export function setNative(on: boolean): void {
  enabled = on;
  epoch++;
}

/**
 * A number that changes with every {@link setNative}: a caller that keeps what it opened for a
 * hot path compares it to know when to look again.
 */
export function nativeEpoch(): number {
  return epoch;
}

/** Whether native code may be tried here at all. */
export function nativeAllowed(): boolean {
  return enabled && Deno.build.os === "linux" &&
    (Deno.build.arch === "x86_64" || Deno.build.arch === "aarch64") &&
    Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

/**
 * The symbols of the first of `names` that loads (once per thread), or null where native code
 * is not allowed or none loads.
 *
 * @example
 * ```ts
 * const libc = openLibrary(["libc.so.6"], { close: { parameters: ["i32"], result: "i32" } });
 * ```
 */
export function openLibrary<S extends Deno.ForeignLibraryInterface>(
  names: readonly string[],
  symbols: S,
): Deno.DynamicLibrary<S>["symbols"] | null {
  if (!nativeAllowed()) return null;
  const key = names.join("|") + JSON.stringify(Object.keys(symbols));
  if (opened.has(key)) return opened.get(key) as Deno.DynamicLibrary<S>["symbols"] | null;
  let lib: Deno.DynamicLibrary<S>["symbols"] | null = null;
  for (const name of names) {
    try {
      lib = Deno.dlopen(name, symbols).symbols;
      break;
    } catch {
      // Not here (or an older version without these symbols): try the next, then fall back.
    }
  }
  opened.set(key, lib);
  return lib;
}
