// Waits for a log line written after a mark, so a test checking one refusal never
// matches the line an earlier refusal left behind.
import type { FerryProcess, LogLine } from './processes.js';

export type LogMatch = (line: LogLine) => boolean;

export interface LogWatch {
  /** The first line after the mark that matches. */
  next(match: LogMatch, timeoutMs?: number): Promise<LogLine>;
  /** Every line after the mark so far. */
  since(): LogLine[];
}

export function watchLog(proc: FerryProcess): LogWatch {
  const from = proc.lines.length;
  return {
    next: (match, timeoutMs) => proc.waitFor((l) => proc.lines.indexOf(l) >= from && match(l), timeoutMs),
    since: () => proc.lines.slice(from),
  };
}
