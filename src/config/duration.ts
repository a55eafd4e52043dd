// Durations in config files read like an operator writes them ("30s", "5m", "1h30m", "7d");
// a bare number means seconds. Everything downstream works in seconds.
import { z } from 'zod';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Seconds in a duration string such as "30s", "1h30m", "500ms"; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (!DURATION.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) seconds += Number(amount) * (UNIT_SECONDS[unit!] ?? NaN);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** "30s" | "5m" | "24h" | "7d" | "1h30m" | "250ms" | a number of seconds (>= 0) → seconds. */
export const durationSchema = z.unknown().transform((input, ctx): number => {
  const seconds =
    typeof input === 'number' ? input : typeof input === 'string' ? parseDuration(input) : undefined;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected a duration such as "30s", "5m", "24h", "7d" or a number of seconds',
      input,
    });
    return z.NEVER;
  }
  return seconds;
});

/** The shortest readable form of a number of seconds, for logs and --check-config output. */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
