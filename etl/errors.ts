/**
 * Errors grouped by what the caller does next (Meltano SDK style):
 * - {@link ConfigError}: the user must fix the spec, connection or file, then retry.
 * - {@link RetriableError}: a passing fault (network, 5xx, deadlock); try the same step again.
 * - {@link FatalRunError}: the run cannot go on; fail it with this message.
 * Rejected records are not errors: they are reported through `RunContext.reject`.
 * @module
 */

/** The user must change configuration or input before a retry can succeed. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** Every problem found, each as `path: message`. */
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(message);
    this.problems = problems;
  }
}

/** A passing failure: the same work may succeed if tried again later. */
export class RetriableError extends Error {
  override name = "RetriableError";
}

/** The run cannot continue; the message is shown to the user as it is. */
export class FatalRunError extends Error {
  override name = "FatalRunError";
}

/**
 * A message safe to show a user for any thrown value: our own errors keep their message,
 * anything else becomes one line without a stack trace.
 *
 * @example
 * ```ts
 * userMessage(new ConfigError('Cannot read "a.csv": file not found')); // 'Cannot read "a.csv": file not found'
 * ```
 */
export function userMessage(err: unknown): string {
  if (err instanceof ConfigError && err.problems.length > 0) {
    return `${err.message}\n${err.problems.map((p) => `- ${p}`).join("\n")}`;
  }
  if (err instanceof Error) return err.message.split("\n")[0] || err.name;
  return String(err);
}
