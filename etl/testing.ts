/**
 * Test helpers shared by every entry's `_test.ts`: a run context that records rejections,
 * and the contract checks each registry entry must pass.
 * @module
 */
import assert from "node:assert/strict";
import type { RunContext, SourceRef, Stage } from "./types.ts";

/** A rejection recorded by {@link testContext}. */
export interface Rejection {
  ref: SourceRef;
  stage: Stage;
  reason: string;
}

/** A run context for tests; `rejections` collects what entries reject. */
export function testContext(
  options: {
    inputRoot?: string;
    outputRoot?: string;
    now?: Date;
    allowPrivateNetwork?: boolean;
    signal?: AbortSignal;
  } = {},
): RunContext & { rejections: Rejection[] } {
  const rejections: Rejection[] = [];
  return {
    signal: options.signal ?? new AbortController().signal,
    now: options.now ?? new Date("2026-11-26T00:00:00Z"),
    inputRoot: options.inputRoot ?? Deno.cwd(),
    outputRoot: options.outputRoot ?? options.inputRoot ?? Deno.cwd(),
    reject: (ref, stage, reason) => rejections.push({ ref, stage, reason }),
    // Off unless a test says otherwise: loopback servers must be allowed explicitly.
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    ids: { tenant: "test-tenant", pipeline: "test-pipeline", run: "test-run" },
    rejections,
  };
}

/**
 * The contract every registry entry keeps: a stable lowercase type id, a title, a zod config
 * schema, and secret names that are fields of that schema.
 */
export function assertEntryContract(
  entry: {
    type: string;
    title: string;
    description: string;
    secrets: readonly string[];
    config: { safeParse(v: unknown): unknown };
  },
): void {
  assert.match(entry.type, /^[a-z][a-z0-9-]*$/, `type "${entry.type}" must be kebab-case`);
  assert.ok(entry.title.length > 0, "title must not be empty");
  assert.ok(entry.description.length > 0, "description must not be empty");
  const shape = (entry.config as unknown as { shape?: Record<string, unknown> }).shape;
  for (const secret of entry.secrets) {
    assert.ok(shape && secret in shape, `secret "${secret}" must be a config field`);
  }
}

/**
 * The error a piece of work fails with; the test fails when it succeeds instead.
 *
 * @example
 * ```ts
 * const err = await failure(loader.open(ctx, config, target));
 * assert.match(err.message, /refused/);
 * ```
 */
export async function failure(
  work: Promise<unknown> | (() => Promise<unknown>),
): Promise<Error> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (err) {
    return err as Error;
  }
  assert.fail("expected an error");
}
