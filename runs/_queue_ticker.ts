/**
 * A periodic task that never overlaps itself, can be run early, and stops cleanly (the
 * in-flight run is awaited, so tests' leak sanitizers see no timer or promise left behind).
 * @module
 */

/** A running periodic task. */
export interface Ticker {
  /** Run the task as soon as the current run (if any) is done, then keep the period. */
  kick(): void;
  /** Stop the timer and wait for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Run `task` every `periodMs` (the next run is scheduled after the previous one ended).
 * A throw is passed to `onError` and the ticker keeps going.
 */
export function startTicker(
  task: () => Promise<unknown>,
  periodMs: number,
  onError: (err: unknown) => void,
): Ticker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = task().then(() => {}, onError).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        schedule(0);
      } else schedule(periodMs);
    });
  }
  schedule(periodMs);
  return {
    kick: () => schedule(0),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
