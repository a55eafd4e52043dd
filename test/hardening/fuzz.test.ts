// Fuzzing with fast-check (issue 17): the relay's head decoding (the Stream frame decoder
// and the response-head check) and the front door's request parsing and header handling.
// Properties: no throw escapes where it would crash a process, a head the check lets
// through is one Node's HTTP layers accept, and malformed client input gets a 4xx, never
// a 5xx and never silence. `npm test` runs a short bounded pass; `npm run fuzz` a long one
// (FERRY_FUZZ_RUNS). Counterexamples found become the regression cases at the bottom.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import t from 'tap';
import { request } from 'undici';
import { responseHeadProblem } from '../../src/relay/response-head-check.js';
import { frameCodec } from '../../src/tunnel/frame-codec.js';
import { frontDoorClient } from '../../testkit/client.js';
import { exchange, openTls } from '../../testkit/raw-tls.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const LONG = Number(process.env['FERRY_FUZZ_RUNS'] ?? 0);
const pureRuns = LONG || 2_000;
const wireRuns = LONG ? Math.ceil(LONG / 10) : 60;
const seed = process.env['FERRY_FUZZ_SEED'] === undefined ? undefined : Number(process.env['FERRY_FUZZ_SEED']);
const params = (numRuns: number) => ({ numRuns, seed, endOnFailure: true });

const codec = frameCodec();

void t.test('the frame decoder: arbitrary bytes decode or throw an Error, never anything else', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      try {
        const frame = codec.deserialize(Buffer.from(bytes));
        if (frame.kind === 'response' && frame.response) responseHeadProblem(frame.response, false);
      } catch (err) {
        if (!(err instanceof Error)) throw new Error(`decoder threw a non-Error: ${String(err)}`, { cause: err });
      }
    }),
    params(pureRuns),
  );
  t.pass(`${pureRuns} runs`);
  t.end();
});

const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const tokenText = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/);
const headerArb = fc.record({ name: fc.oneof(tokenText, anyText), value: fc.oneof(fc.string({ maxLength: 40 }), anyText) });
const headArb = fc.record({ status: fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constantFrom(0, 100, 101, 103, 200, 599, 600)), headers: fc.array(headerArb, { maxLength: 6 }) });

void t.test('the response-head check: what it accepts, Node sends (h1 and h2 rules)', (t) => {
  fc.assert(
    fc.property(headArb, fc.boolean(), (head, upgrade) => {
      const problem = responseHeadProblem(head, upgrade);
      if (problem !== undefined) return;
      if (head.status < 100 || head.status > 599) throw new Error(`accepted status ${head.status}`);
      for (const h of head.headers) {
        validateHeaderName(h.name);
        validateHeaderValue(h.name, h.value);
      }
    }),
    params(pureRuns),
  );
  t.pass(`${pureRuns} runs`);
  t.end();
});

// ---- the front door over the wire ----

const upstream = await startUpstream();
const env = await startTunnelEnv({ frontDoor: { listen: '127.0.0.1:0', limits: { headersTimeout: '2s', idleTimeout: '2s' } } });
await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
const token = await env.token('a1', 'x-echo', 'demo');
const client = frontDoorClient(env.ca.certPem);
t.teardown(async () => {
  await client.close();
  await env.close();
  await upstream.close();
});

const methodArb = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'get', 'BREW'), fc.stringMatching(/^[A-Z]{1,8}$/), anyText);
const pathArb = fc.oneof(fc.webPath(), fc.constantFrom('/', '*', '//x', '/%00', '/..%2f..', 'http://evil/x', '/a?b=%ff'), anyText);
const versionArb = fc.constantFrom(' HTTP/1.1', ' HTTP/1.0', '', ' HTTP/2.0', ' HTTP/1.1 extra', ' http/1.1', ' HTTP/9.9');
const bodyArb = fc.option(fc.string({ maxLength: 100 }), { nil: undefined });

interface WireCase {
  method: string;
  path: string;
  version: string;
  headers: { name: string; value: string }[];
  withToken: boolean;
  body: string | undefined;
}

function wireText(c: WireCase): string {
  let text = `${c.method} ${c.path}${c.version}\r\nHost: localhost\r\n`;
  if (c.withToken) text += `X-Ferry-Token: ${token}\r\n`;
  for (const h of c.headers) text += `${h.name}: ${h.value}\r\n`;
  if (c.body !== undefined) text += `Content-Length: ${Buffer.byteLength(c.body)}\r\n`;
  return `${text}Connection: close\r\n\r\n${c.body ?? ''}`;
}

async function answerTo(c: WireCase): Promise<{ status: number; head: string }> {
  const s = await openTls(env.ports.frontDoor);
  try {
    return await exchange(s, wireText(c));
  } finally {
    s.destroy();
  }
}

async function checkWire(c: WireCase): Promise<void> {
  const { status, head } = await answerTo(c);
  if (status === 0) throw new Error(`no answer at all to ${JSON.stringify(wireText(c))}`);
  if (status >= 500) throw new Error(`answered ${status} to client input ${JSON.stringify(wireText(c))}: ${head}`);
}

void t.test('the front door: malformed requests get a 4xx, never a 5xx or silence', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ method: methodArb, path: pathArb, version: versionArb, headers: fc.array(headerArb, { maxLength: 5 }), withToken: fc.boolean(), body: bodyArb }),
      checkWire,
    ),
    params(wireRuns),
  );
  const res = await request(`${env.frontDoorUrl}/after`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  t.equal(res.statusCode, 200, `after ${wireRuns} runs a good request is served`);
  await res.body.dump();
});

// Counterexamples the fuzzer found, kept as regression cases.
const FOUND: WireCase[] = [
  // "HTTP/2.0" on an HTTP/1.1 connection passed for an h2 request and threw in the front door.
  { method: 'OPTIONS', path: '///i/', version: ' HTTP/2.0', headers: [], withToken: false, body: ' =hmNN|' },
  { method: 'GET', path: '/x', version: ' HTTP/2.0', headers: [], withToken: true, body: undefined },
  // CONNECT was dropped without an answer.
  { method: 'CONNECT', path: 'http://evil/x', version: ' HTTP/1.1', headers: [{ name: 'd-~', value: 'A\\1*gP5<' }], withToken: false, body: 'P' },
  // Passed through as is; it threw in the test's own upstream (now a 400 there).
  { method: 'GET', path: '//@//p/', version: ' HTTP/1.1', headers: [], withToken: true, body: undefined },
];

void t.test('regressions found by fuzzing', async (t) => {
  for (const c of FOUND) {
    await checkWire(c);
    t.pass(JSON.stringify(wireText(c)));
  }
});
