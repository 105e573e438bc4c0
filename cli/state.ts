/**
 * The CLI's memory between runs of incremental pipelines: a small JSON file holding, per
 * pipeline name, the high-water mark of its last successful run. (The portal keeps the same
 * thing in Deno KV.)
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../etl/errors.ts";

const StateFile = z.record(z.string(), z.object({ highWater: z.string(), at: z.string() }));

/** What the state file holds for one pipeline. */
export type PipelineState = z.output<typeof StateFile>[string];

async function readState(path: string): Promise<z.output<typeof StateFile>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return {};
    throw err;
  }
  const parsed = StateFile.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ConfigError(`The state file "${path}" is not one this tool wrote; move it away`);
  }
  return parsed.data;
}

/** The high-water mark of the pipeline's last successful run, if any. */
export async function loadHighWater(path: string, pipeline: string): Promise<string | undefined> {
  return (await readState(path))[pipeline]?.highWater;
}

/** Remember a successful run's high-water mark (written to a temp file, then renamed). */
export async function saveHighWater(
  path: string,
  pipeline: string,
  highWater: string,
  at: Date,
): Promise<void> {
  const state = await readState(path);
  state[pipeline] = { highWater, at: at.toISOString() };
  const temp = `${path}.${crypto.randomUUID()}.partial`;
  await Deno.writeTextFile(temp, JSON.stringify(state, null, 2) + "\n");
  await Deno.rename(temp, path);
}
