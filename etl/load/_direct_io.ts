/**
 * Direct I/O for the file repository on Linux: writes that skip the page cache (`O_DIRECT`).
 *
 * Why: on these VMs, copying a write into the page cache costs ~3 s of CPU per GB (`dd`: 334
 * MB/s, 6.2 s of system time for 2 GB), on a machine whose two cores the run itself needs;
 * `O_DIRECT` writes the same 2 GB at 1.3 GB/s for 0.4 s of system time. It also leaves the page
 * cache to the inputs, which a big output would otherwise evict.
 *
 * It is used only where it works: where native code can be (see `native/ffi.ts`: Linux,
 * `ffi` permission, glibc's `libc.so.6`, `NATIVE` not 0) on a file system that accepts `O_DIRECT`
 * (tmpfs refuses it). Otherwise {@link DirectFile.open} gives undefined and the
 * caller writes as before.
 * @module
 */
import { openLibrary } from "../../native/ffi.ts";

/** Direct writes start at, and are sized in, multiples of this (any device's logical block). */
export const DIRECT_BLOCK = 4096;

/** `open(2)` flags, which differ between architectures. */
const FLAGS: Partial<Record<string, { direct: number; noFollow: number }>> = {
  x86_64: { direct: 0o40000, noFollow: 0o400000 },
  aarch64: { direct: 0o200000, noFollow: 0o100000 },
};
const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  // Run on a blocking thread: the run goes on while the disk writes.
  pwrite: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/**
 * A second, write-only descriptor on a file, opened with `O_DIRECT`: whole aligned blocks go
 * straight to the disk at the offsets given. The file's own `Deno.FsFile` stays for the rest
 * (the unaligned tail, `fsync`, truncation): Linux keeps the two coherent.
 *
 * @example
 * ```ts
 * const direct = DirectFile.open(path); // undefined where direct I/O cannot be used
 * const block = alignedBytes(DIRECT_BLOCK * 16);
 * if (direct && !(await direct.write(block, 0))) { ... write it the usual way ... }
 * direct?.close();
 * ```
 */
export class DirectFile {
  #lib: Libc;
  #fd: number;

  private constructor(lib: Libc, fd: number) {
    this.#lib = lib;
    this.#fd = fd;
  }

  /**
   * Opens `path`, an existing regular file, for direct writes; undefined where that cannot be
   * done (see the module's notes). A symbolic link is never followed.
   */
  static open(path: string): DirectFile | undefined {
    const flags = FLAGS[Deno.build.arch];
    const lib = flags ? openLibrary(["libc.so.6"], SYMBOLS) : null;
    if (!lib || !flags) return undefined;
    const name = new TextEncoder().encode(path + "\0");
    const fd = lib.open(name, O_WRONLY | O_CLOEXEC | flags.direct | flags.noFollow, 0);
    return fd >= 0 ? new DirectFile(lib, fd) : undefined;
  }

  /**
   * Writes `bytes` (from {@link alignedBytes}, a multiple of {@link DIRECT_BLOCK} long) at
   * `offset` (a multiple of it too). False when not all of it was written: the caller writes it
   * again the usual way, which then reports the real error (a full disk, say).
   */
  async write(bytes: Uint8Array, offset: number): Promise<boolean> {
    if (this.#fd < 0) return false;
    const n = await this.#lib.pwrite(this.#fd, bytes, BigInt(bytes.length), BigInt(offset));
    return Number(n) === bytes.length;
  }

  /** Closes the descriptor (once). */
  close(): void {
    if (this.#fd >= 0) this.#lib.close(this.#fd);
    this.#fd = -1;
  }
}

/**
 * A new zeroed buffer of `length` bytes whose first byte sits on a {@link DIRECT_BLOCK}
 * boundary in memory, as `O_DIRECT` requires.
 */
export function alignedBytes(length: number): Uint8Array {
  const raw = new Uint8Array(length + DIRECT_BLOCK);
  const address = Deno.UnsafePointer.value(Deno.UnsafePointer.of(raw));
  const skip = (DIRECT_BLOCK - Number(BigInt(address) % BigInt(DIRECT_BLOCK))) % DIRECT_BLOCK;
  return raw.subarray(skip, skip + length);
}
