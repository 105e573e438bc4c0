/**
 * A small argument parser for the CLI: positionals and `--name value` / `--flag` options.
 * @module
 */

/** Parsed command line. */
export interface Args {
  positionals: string[];
  options: Map<string, string | true>;
}

/**
 * Split arguments into positionals and options; `--x=1` and `--x 1` both work.
 *
 * @example
 * ```ts
 * parseArgs(["run", "p.json", "--out", "x"]); // positionals ["run","p.json"], options {out: "x"}
 * ```
 */
export function parseArgs(argv: string[], flags: readonly string[] = []): Args {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq !== -1) options.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (flags.includes(arg.slice(2)) || i + 1 >= argv.length) options.set(arg.slice(2), true);
    else options.set(arg.slice(2), argv[++i]);
  }
  return { positionals, options };
}
