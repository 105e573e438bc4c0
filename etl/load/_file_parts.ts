/**
 * Output in steps for formats whose encoder cannot continue an output (Parquet): each step ends
 * its rows as a complete part file beside the output, named after the run and the part's number
 * (`.<name>.<run>.part<n>.partial`), and commit joins the parts into the output without
 * re-encoding them. A run written in one go never makes a part.
 * @module
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../errors.ts";
import type { PartMerger } from "../format/parquet.ts";
import type { SinkState } from "../types.ts";

/** Writes every byte: `write` may take fewer than it is given. */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/** Makes the names in a folder (a file just created or renamed) durable. */
export async function syncFolder(path: string): Promise<void> {
  using folder = await Deno.open(path, { read: true });
  await folder.sync();
}

async function removeIfThere(path: string): Promise<void> {
  await Deno.remove(path).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

/** The finished parts of a run's output, and where the next one goes. */
export class FileParts {
  /** Finished parts, relative to the output root, in order. */
  readonly rels: string[] = [];
  /** Their bytes in all. */
  bytes = 0;

  private constructor(
    private readonly root: string,
    private readonly tempRel: string,
    private readonly merge: PartMerger,
  ) {}

  /**
   * The parts of a run's output. With `resume`, the parts it lists must all be there, and parts
   * made after it (by a step that crashed before its checkpoint was saved) and a half-joined
   * output are removed; without it, every part of an earlier attempt of this run goes.
   */
  static async open(
    root: string,
    tempRel: string,
    merge: PartMerger,
    resume?: SinkState,
  ): Promise<FileParts> {
    const parts = new FileParts(root, tempRel, merge);
    if (!resume) {
      await parts.removeFrom(0);
      return parts;
    }
    const saved = resume.parts;
    if (!Array.isArray(saved) || saved.some((rel, n) => rel !== parts.relOf(n))) {
      throw new ConfigError(
        "The saved progress of this run's file output is damaged; start the run again",
      );
    }
    for (const rel of saved as string[]) {
      const info = await Deno.lstat(parts.pathOf(parts.rels.length)).catch((err) => {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      });
      if (!info?.isFile) {
        throw new ConfigError(
          `The partial output of this run is gone (${rel} was not found in the output folder); ` +
            "start the run again",
        );
      }
      parts.rels.push(rel);
      parts.bytes += info.size;
    }
    if (parts.bytes !== resume.bytes) {
      throw new ConfigError(
        `The partial output of this run (${tempRel}) does not match its last checkpoint ` +
          `(${parts.bytes} of ${resume.bytes} bytes); start the run again`,
      );
    }
    await parts.removeFrom(parts.rels.length);
    await removeIfThere(join(root, tempRel));
    return parts;
  }

  /** Part `n` relative to the output root: the temporary file's name with the number in it. */
  relOf(n: number): string {
    return this.tempRel.replace(/\.partial$/, `.part${n}.partial`);
  }

  /** Part `n` as an absolute path. */
  pathOf(n: number): string {
    return join(this.root, ...this.relOf(n).split("/"));
  }

  /** Creates the file of the next part, new and empty. */
  async create(): Promise<{ path: string; file: Deno.FsFile }> {
    const path = this.pathOf(this.rels.length);
    // Removed, not truncated, so that a link planted under this name is never followed.
    await removeIfThere(path);
    return { path, file: await Deno.open(path, { write: true, createNew: true, mode: 0o640 }) };
  }

  /**
   * Keeps a finished, synced part (moved to the next part's name when written elsewhere, as the
   * first step writes the output's temporary file) and makes its name durable.
   */
  async add(path: string, size: number): Promise<void> {
    const next = this.pathOf(this.rels.length);
    if (path !== next) await Deno.rename(path, next);
    await syncFolder(dirname(next));
    this.rels.push(this.relOf(this.rels.length));
    this.bytes += size;
  }

  /**
   * Joins the parts into `temp`, hashing the bytes as they are written, makes them durable,
   * renames `temp` to `full` and removes the parts.
   */
  async publish(temp: string, full: string): Promise<{ bytes: number; checksum: string }> {
    await removeIfThere(temp);
    const hash = createHash("sha256");
    let bytes = 0;
    {
      using file = await Deno.open(temp, { write: true, createNew: true, mode: 0o640 });
      await this.merge(this.rels.map((_, n) => this.pathOf(n)), async (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        await writeAll(file, chunk);
      });
      await file.sync();
    }
    await Deno.rename(temp, full);
    await this.removeFrom(0);
    return { bytes, checksum: hash.digest("hex") };
  }

  /** Removes every part of this run numbered `from` or more, finished or not. */
  async removeFrom(from: number): Promise<void> {
    const dir = join(this.root, ...dirname(this.tempRel).split("/"));
    const prefix = basename(this.tempRel).replace(/\.partial$/, ".part");
    for await (const entry of Deno.readDir(dir)) {
      const match = entry.name.startsWith(prefix) && /^(\d+)\.partial$/.exec(
        entry.name.slice(prefix.length),
      );
      if (match && Number(match[1]) >= from) await removeIfThere(join(dir, entry.name));
    }
  }
}
