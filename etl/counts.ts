/**
 * Stage counts built from rejections: every row read either reaches the repository or is
 * rejected at exactly one stage, so the counts always add up.
 * @module
 */
import { type Stage, type StageCounts, STAGES } from "./types.ts";

/** Counts rows read and rejections per stage; derives the per-stage counts. */
export class StageTally {
  #read = 0;
  #rejected: Record<Stage, number> = { read: 0, normalized: 0, mapped: 0, valid: 0, written: 0 };

  /** Record rows read (including the ones rejected while reading). */
  addRead(n: number): void {
    this.#read += n;
  }

  /** Record one rejection at a stage. */
  addRejected(stage: Stage): void {
    this.#rejected[stage]++;
  }

  /** Rejections in all. */
  get rejected(): number {
    return STAGES.reduce((sum, s) => sum + this.#rejected[s], 0);
  }

  /** Rejections per stage. */
  get rejectedByStage(): Record<Stage, number> {
    return { ...this.#rejected };
  }

  /**
   * Rows that passed each stage. `read` counts every record read; each later stage is the one
   * before minus what it rejected (`read` rejections are ragged lines and bad JSON).
   */
  counts(): StageCounts {
    const out = { rejected: this.rejected } as StageCounts;
    let passed = this.#read;
    for (const stage of STAGES) {
      if (stage !== "read") passed -= this.#rejected[stage];
      else passed -= this.#rejected.read;
      out[stage] = stage === "read" ? this.#read : passed;
    }
    return out;
  }

  /** Restore from stored counts (a resumed run). */
  static from(counts: StageCounts, rejectedByStage: Record<Stage, number>): StageTally {
    const tally = new StageTally();
    tally.#read = counts.read;
    tally.#rejected = { ...rejectedByStage };
    return tally;
  }
}
