import t from 'tap';
import { durationSchema, formatDuration, parseDuration } from '../../src/config/duration.js';

void t.test('durations in seconds', (t) => {
  const cases: [unknown, number][] = [
    ['30s', 30], ['5m', 300], ['24h', 86400], ['7d', 604800], ['1h30m', 5400], ['250ms', 0.25],
    ['1.5h', 5400], [' 10s ', 10], ['45', 45], [90, 90], [0, 0], [0.5, 0.5],
  ];
  for (const [input, seconds] of cases) t.equal(durationSchema.parse(input), seconds, String(input));
  t.end();
});

void t.test('bad durations are rejected with one clear message', (t) => {
  for (const input of ['', '5', 'x', '5x', '-5s', 's', '5 m', '1h-30m', -1, Number.NaN, Infinity, true, null, undefined, [], {}]) {
    if (input === '5') continue; // a bare numeric string is seconds
    const result = durationSchema.safeParse(input);
    t.notOk(result.success, JSON.stringify(input) ?? 'undefined');
    if (!result.success) t.match(result.error.issues[0]!.message, /^expected a duration such as "30s"/);
  }
  t.equal(parseDuration('nope'), undefined);
  t.end();
});

void t.test('formatDuration picks the largest whole unit', (t) => {
  t.equal(formatDuration(604800), '7d');
  t.equal(formatDuration(86400), '1d');
  t.equal(formatDuration(5400), '90m');
  t.equal(formatDuration(30), '30s');
  t.equal(formatDuration(0.25), '250ms');
  t.equal(formatDuration(0), '0s');
  t.equal(parseDuration(formatDuration(5400)), 5400);
  t.end();
});
