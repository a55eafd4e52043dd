// Durations as people write them in config ("24h", "7d", "1h30m") turned into whole seconds.
import { FerryError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const WHOLE = /^(?:\d+[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

/**
 * Parse a duration into seconds. A number (or a string of digits) is already seconds;
 * otherwise one or more `<digits><unit>` parts with units s, m, h, d, w.
 * Whole seconds only, because JWT times and registry `expires_in` must be integers.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) throw badDuration(String(input));
    return input;
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return parseDuration(Number(text));
  if (!WHOLE.test(text)) throw badDuration(input);
  let total = 0;
  for (const [, digits, unit] of text.matchAll(PART)) total += Number(digits) * (UNIT_SECONDS[unit!] ?? 0);
  if (!Number.isSafeInteger(total)) throw badDuration(input);
  return total;
}

function badDuration(shown: string): FerryError {
  return new FerryError(
    'FERRY_ERR_BAD_INPUT',
    `invalid duration ${JSON.stringify(shown)}: use whole seconds or e.g. 90s, 30m, 24h, 7d, 1h30m`,
  );
}
