// A known token logged in many shapes must never reach the output; debug is per subsystem.
import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger, debugMatcher } from '../../src/observability/logger.js';
import { redactSecret, REDACTED } from '../../src/observability/redact.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.ferry-known-token.c2lnbmF0dXJl';

function capture(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  const lines = () => text().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, text, lines };
}

function logTokenEverywhere(log: ReturnType<typeof createLogger>): void {
  const err = Object.assign(new Error('upstream refused'), { token: TOKEN, headers: { authorization: `Bearer ${TOKEN}` } });
  log.info({ authorization: `Bearer ${TOKEN}` }, 'top-level header');
  log.info({ headers: { authorization: `Bearer ${TOKEN}`, 'proxy-authorization': `Basic ${TOKEN}`, 'x-ferry-token': TOKEN, cookie: `s=${TOKEN}` } }, 'headers');
  log.info({ req: { method: 'GET', headers: { authorization: `Bearer ${TOKEN}`, 'x-ferry-token': TOKEN } } }, 'request');
  log.info({ res: { req: { headers: { authorization: `Bearer ${TOKEN}` } } } }, 'deep');
  log.info({ token: TOKEN, password: TOKEN, credentials: { user: 'u', pass: TOKEN } }, 'credentials');
  log.info({ service: { name: 'jenkins', apiKey: TOKEN, auth: { secret: TOKEN } } }, 'service');
  log.info({ tls: { key: TOKEN, privateKey: TOKEN, passphrase: TOKEN } }, 'tls');
  log.info({ oidc: { clientSecret: TOKEN, id_token: TOKEN, refresh_token: TOKEN, access_token: TOKEN } }, 'oidc');
  log.error({ err }, 'failed');
  log.child({ subsystem: 'tunnel', token: TOKEN }).child({ agent: { name: 'a', Password: TOKEN } }).info({ headers: { Authorization: TOKEN } }, 'child');
  log.info({ tokenFingerprint: redactSecret(TOKEN) }, 'fingerprint');
}

void t.test('a known token never appears in JSON output', (t) => {
  const out = capture();
  const log = createLogger({ name: 'ferry-test', pretty: false, debug: '', destination: out.stream });
  logTokenEverywhere(log);
  const lines = out.lines();
  t.equal(lines.length, 11, 'every call logged a line');
  t.notMatch(out.text(), 'ferry-known-token');
  t.match(out.text(), REDACTED);
  const headers = lines[1]!['headers'] as Record<string, unknown>;
  t.same(headers, { authorization: REDACTED, 'proxy-authorization': REDACTED, 'x-ferry-token': REDACTED, cookie: REDACTED });
  t.equal(lines[0]!['level'], 'info', 'level is a name in JSON');
  t.equal(lines[0]!['name'], 'ferry-test');
  t.match(String(lines[0]!['time']), /^\d{4}-\d\d-\d\dT/);
  t.match(lines[8]!['err'], { message: 'upstream refused', token: REDACTED });
  t.match(String(lines[10]!['tokenFingerprint']), /^\[redacted sha256:[0-9a-f]{4}\]$/);
  t.end();
});

void t.test('a known token never appears in pretty output', (t) => {
  const out = capture();
  const log = createLogger({ name: 'ferry-test', pretty: true, debug: '', destination: out.stream });
  logTokenEverywhere(log);
  t.match(out.text(), 'top-level header');
  t.match(out.text(), 'INFO');
  t.throws(() => {
    JSON.parse(out.text().split('\n')[0]!);
  }, 'pretty output is not JSON');
  t.notMatch(out.text(), 'ferry-known-token');
  t.end();
});

void t.test('debug is switched on per subsystem', (t) => {
  const out = capture();
  const log = createLogger({ name: 'ferry-test', pretty: false, debug: 'tunnel, FrontDoor', destination: out.stream });
  log.debug('root debug');
  log.child({ subsystem: 'tunnel' }).debug('tunnel debug');
  log.child({ subsystem: 'tunnel' }).child({ stream: 7 }).debug('grandchild debug');
  log.child({ subsystem: 'tunnel.pool' }).debug('nested subsystem debug');
  log.child({ subsystem: 'frontdoor' }).debug('frontdoor debug');
  log.child({ subsystem: 'pki' }).debug('pki debug');
  log.child({ subsystem: 'pki' }).info('pki info');
  const messages = out.lines().map((l) => l['msg']);
  t.same(messages, ['tunnel debug', 'grandchild debug', 'nested subsystem debug', 'frontdoor debug', 'pki info']);
  t.equal(out.lines()[0]!['level'], 'debug');
  t.end();
});

void t.test('FERRY_DEBUG=* enables every subsystem; an explicit trace level is never raised', (t) => {
  t.ok(debugMatcher('*')('anything'));
  t.ok(debugMatcher('all')('x'));
  t.notOk(debugMatcher(undefined)('tunnel'));
  t.notOk(debugMatcher('tunnel')('tunnelx'));
  const out = capture();
  const log = createLogger({ name: 'ferry-test', level: 'trace', pretty: false, debug: 'tunnel', destination: out.stream });
  log.child({ subsystem: 'tunnel' }).trace('still trace');
  t.same(out.lines().map((l) => l['msg']), ['still trace']);
  t.end();
});

void t.test('redactSecret shows a stable 4-hex fingerprint only', (t) => {
  t.equal(redactSecret(TOKEN), redactSecret(TOKEN));
  t.not(redactSecret(TOKEN), redactSecret(`${TOKEN}x`));
  t.notMatch(redactSecret(TOKEN), TOKEN.slice(0, 4));
  t.equal(redactSecret(''), '[none]');
  t.equal(redactSecret(undefined), '[none]');
  t.match(redactSecret(Buffer.from('k')), /^\[redacted sha256:[0-9a-f]{4}\]$/);
  t.end();
});
