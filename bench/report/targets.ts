// Judging ferry's numbers against the targets.
import type { PathName } from '../peers/path.js';
import type { Target } from './result.js';

type Values = Partial<Record<PathName, number>>;

/** ferry ≥ factor × ssh -R (higher is better). */
export function ratioTarget(values: Values, text: string, factor: number): Target {
  const f = values.ferry;
  const s = values['ssh -R'];
  if (f === undefined || s === undefined || !Number.isFinite(f) || !Number.isFinite(s) || s === 0) return { text, met: undefined };
  return { text, met: f >= factor * s };
}

export function maxTarget(value: number | undefined, limit: number, text: string): Target {
  if (value === undefined || !Number.isFinite(value)) return { text, met: undefined };
  return { text, met: value <= limit };
}

export function minTarget(value: number | undefined, limit: number, text: string): Target {
  if (value === undefined || !Number.isFinite(value)) return { text, met: undefined };
  return { text, met: value >= limit };
}
