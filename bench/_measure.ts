/**
 * Running a benchmark child process and measuring it: wall time, peak RSS (GNU time's max RSS
 * when /usr/bin/time exists, else VmHWM polled from /proc), and its JSON result.
 * @module
 */

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Whether GNU time is there to report a child's max RSS. */
export const HAS_TIME = await exists("/usr/bin/time");

/**
 * Run a child process and measure its peak RSS: GNU time's max RSS when /usr/bin/time exists,
 * else VmHWM polled from /proc. Returns the last stdout line parsed as JSON.
 */
export async function measure(args: string[], cwd: string): Promise<
  { json: Record<string, unknown> | null; wallSeconds: number; peakRssMb: number; stderr: string }
> {
  const rssFile = await Deno.makeTempFile({ prefix: "bench-rss-" });
  const cmd = HAS_TIME ? ["/usr/bin/time", "-f", "%M", "-o", rssFile, ...args] : args;
  const t0 = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let polled = 0;
  const poll = HAS_TIME ? undefined : setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${child.pid}/status`));
      if (m) polled = Math.max(polled, Number(m[1]));
    } catch { /* exited */ }
  }, 50);
  const out = await child.output();
  const wallSeconds = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  const timed = HAS_TIME ? Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop()) : 0;
  await Deno.remove(rssFile);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  let json: Record<string, unknown> | null = null;
  // run_one prints one JSON line last; the CLI prints one pretty-printed document.
  for (const text of [lines[lines.length - 1], lines.join("\n")]) {
    try {
      json = JSON.parse(text);
      break;
    } catch { /* try the next reading; failures are reported through stderr */ }
  }
  const kb = Math.max(timed || 0, polled, Number(json?.peakRssMb ?? 0) * 1024);
  const stderr = new TextDecoder().decode(out.stderr).trim();
  return { json, wallSeconds, peakRssMb: Math.round(kb / 1024), stderr };
}

export async function outputMb(path: string, keep: boolean): Promise<number> {
  try {
    const { size } = await Deno.stat(path);
    if (!keep) await Deno.remove(path);
    return Number((size / 1e6).toFixed(size < 1e8 ? 1 : 0));
  } catch {
    return 0;
  }
}
