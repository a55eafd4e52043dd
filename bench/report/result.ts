// One line of the results table: a metric measured on some paths, and the target
// for ferry where there is one.
import type { PathName } from '../peers/path.js';

export interface Target {
  text: string;
  /** undefined when it could not be judged (e.g. a path failed). */
  met: boolean | undefined;
}

export interface ResultRow {
  scenario: string;
  metric: string;
  unit: string;
  values: Partial<Record<PathName, number>>;
  /** For the ratio columns: is more better (MB/s, req/s) or less (latency, RSS)? */
  higherIsBetter: boolean;
  /** false where a ratio means nothing (differences that may be ≤ 0). */
  ratios?: boolean;
  target?: Target;
  note?: string;
}

export interface RunOptions {
  quick: boolean;
  /** Interleaved repetitions per measurement; the median is reported. */
  reps: number;
  log(line: string): void;
}
