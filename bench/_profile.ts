/**
 * CPU profiling from inside the process through `node:inspector` (Deno 2.9 has no `--cpu-prof`
 * and its V8 logs do not match Node's tick processor): start, stop, save a `.cpuprofile` that
 * Chrome DevTools opens, and summarise self time by function and by file.
 * @module
 */
import { Session } from "node:inspector";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** A V8 CPU profile as the inspector returns it. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

/** A running profile; `stop()` returns it. */
export interface Profiler {
  stop(): Promise<CpuProfile>;
}

/** Start sampling this process's JavaScript every `intervalUs` microseconds. */
export async function startProfiler(intervalUs = 500): Promise<Profiler> {
  const session = new Session();
  session.connect();
  // The typed overloads list every protocol method; one loose signature is enough here.
  const send = session.post.bind(session) as (
    method: string,
    params: object,
    callback: (err: Error | null, result: unknown) => void,
  ) => void;
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) =>
      send(method, params, (err, res) => err ? reject(err) : resolve(res as T))
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: intervalUs });
  await post("Profiler.start");
  return {
    async stop() {
      const { profile } = await post<{ profile: CpuProfile }>("Profiler.stop");
      session.disconnect();
      return profile;
    },
  };
}

const short = (url: string) =>
  url.replace(/^file:\/\/\/work\/main\//, "").replace(/^.*node_modules\/\.deno\//, "npm:");

/** The top `limit` functions and files by self time, as text lines with their share. */
export function summarize(profile: CpuProfile, limit = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const id of profile.samples) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = `${functionName || "(anonymous)"} ${short(url)}:${lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + 1);
    const f = url ? short(url) : functionName || "(native)";
    file.set(f, (file.get(f) ?? 0) + 1);
  }
  const total = profile.samples.length || 1;
  const top = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, limit)
      .map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`);
  return [
    `self time by function (${total} samples):`,
    ...top(fn),
    "",
    "self time by file:",
    ...top(file),
  ].join("\n");
}
