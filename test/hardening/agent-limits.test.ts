// Agent limits and response-head validation (issue 17): one agent certificate may hold at
// most agents.limits.maxSessionsPerAgent Control sessions (the surplus refused, saying
// why) and a session at most maxStreamsPerSession Stream calls; every malformed response
// head from an agent is a 502 with the reason, on HTTP/1.1 and on h2, never passed on.
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import t from 'tap';
import { request } from 'undici';
import type { Frame } from '../../src/tunnel/types.js';
import { frontDoorClient } from '../../testkit/client.js';
import { watchLog } from '../../testkit/log-watch.js';
import { RawAgent, type RawControl } from '../../testkit/raw-agent.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const env = await startTunnelEnv({ agents: { listen: '127.0.0.1:0', limits: { maxSessionsPerAgent: 3, maxStreamsPerSession: 4 } } });
const address = `127.0.0.1:${env.ports.agents}`;
const raws: RawAgent[] = [];
const plain = frontDoorClient(env.ca.certPem);
t.teardown(async () => {
  for (const r of raws) r.close();
  await plain.close();
  await env.close();
});

async function rawAgent(agent: string): Promise<RawAgent> {
  const issued = await env.ca.issueClient({ kind: 'agent', agent });
  const r = new RawAgent({ address, caPem: env.ca.certPem, certPem: issued.certPem, keyPem: issued.keyPem });
  raws.push(r);
  return r;
}

void t.test('sessions beyond maxSessionsPerAgent are refused clearly; a freed slot is usable', async (t) => {
  const raw = await rawAgent('capped');
  const controls: RawControl[] = [];
  for (let i = 0; i < 3; i++) controls.push((await raw.connect('capped', [{ type: 'x-echo', name: 'demo' }])).control);
  t.pass('three sessions welcomed');
  const extra = raw.control();
  extra.send({ hello: { version: 'raw-test', hostname: 'raw', name: 'capped', services: [], instanceId: 'raw-extra' } });
  const first = await extra.next(() => true);
  t.equal(first.event, 'refused', 'the fourth is refused');
  t.equal(first.refused?.code, 'FERRY_ERR_RATE_LIMITED');
  t.match(first.refused?.reason, /agent "capped" already has 3 sessions open, the most allowed \(agents\.limits\.maxSessionsPerAgent\)/);
  t.equal((await extra.ended).code, grpc.status.PERMISSION_DENIED);
  // Another agent name has its own allowance.
  const other = await rawAgent('other');
  await other.connect('other', []);
  t.pass('another agent still connects');

  controls[0]!.call.end();
  const deadline = Date.now() + 5_000;
  let welcomed = false;
  while (!welcomed && Date.now() < deadline) {
    const again = raw.control();
    again.send({ hello: { version: 'raw-test', hostname: 'raw', name: 'capped', services: [], instanceId: 'raw-again' } });
    welcomed = (await again.next(() => true)).event === 'welcome';
    if (!welcomed) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(welcomed, 'a session slot freed by a disconnect is usable again');
});

void t.test('Stream calls beyond maxStreamsPerSession are refused', async (t) => {
  const raw = await rawAgent('streamy');
  const { sessionId } = await raw.connect('streamy', []);
  const streams = Array.from({ length: 5 }, () => raw.stream(sessionId));
  const outcome = await Promise.race(streams.map((s) => s.ended));
  t.equal(outcome.code, grpc.status.RESOURCE_EXHAUSTED, 'one of five is refused');
  t.match(outcome.details, /session already holds 4 streams, the most allowed \(agents\.limits\.maxStreamsPerSession\)/);
});

interface BadHead {
  name: string;
  response: NonNullable<Frame['response']>;
  reason: RegExp;
}

const head = (status: number, headers: { name: string; value: string }[] = []) => ({ status, headers, body: Buffer.from('should never be seen'), bodyComplete: true });
const cases: BadHead[] = [
  { name: 'status 999', response: head(999), reason: /status 999 is outside 100-599/ },
  { name: 'status 0', response: head(0), reason: /status 0 is outside 100-599/ },
  { name: 'status 101 without an upgrade', response: head(101), reason: /status 101 answers a request that asked for no upgrade/ },
  { name: 'status 103 as a final head', response: head(103), reason: /status 103 is not a final response/ },
  { name: 'CRLF in a header value', response: head(200, [{ name: 'x-a', value: 'ok\r\nset-cookie: evil=1' }]), reason: /header x-a has a control character/ },
  { name: 'NUL in a header value', response: head(200, [{ name: 'x-a', value: 'a\0b' }]), reason: /header x-a has a control character/ },
  { name: 'a space in a header name', response: head(200, [{ name: 'bad name', value: 'v' }]), reason: /header name \\?"bad name\\?" is not a token/ },
  { name: 'a colon-led header name', response: head(200, [{ name: ':status', value: '200' }]), reason: /header name \\?":status\\?" is not a token/ },
];

void t.test('malformed response heads from an agent: 502 on HTTP/1.1 and h2, never passed on', async (t) => {
  const raw = await rawAgent('sloppy');
  const { sessionId } = await raw.connect('sloppy', [{ type: 'x-echo', name: 'demo' }]);
  const token = await env.token('sloppy', 'x-echo', 'demo');
  const session = http2.connect(env.frontDoorUrl, { ca: env.ca.certPem, servername: 'localhost' });
  t.teardown(() => session.close());

  const viaH1 = async () => {
    const res = await request(`${env.frontDoorUrl}/bad`, { dispatcher: plain, headers: { 'x-ferry-token': token } });
    return { status: res.statusCode, body: await res.body.text(), headers: JSON.stringify(res.headers) };
  };
  const viaH2 = () =>
    new Promise<{ status: number; body: string; headers: string }>((resolve, reject) => {
      const r = session.request({ ':path': '/bad', 'x-ferry-token': token });
      let status = 0;
      let headers = '';
      let body = '';
      r.on('response', (h) => {
        status = Number(h[':status']);
        headers = JSON.stringify(h);
      });
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => resolve({ status, body, headers }));
      r.on('error', reject);
    });

  for (const c of cases) {
    for (const [version, send] of [['HTTP/1.1', viaH1], ['h2', viaH2]] as const) {
      const log = watchLog(env.controller);
      const stream = raw.stream(sessionId);
      const pending = send();
      await stream.next((f) => f.kind === 'request');
      stream.send({ response: c.response });
      const got = await pending;
      t.equal(got.status, 502, `${c.name} over ${version}: 502`);
      t.match(got.body, /"code":"FERRY_ERR_AGENT_LOST".*invalid response head/, 'the body says the head was invalid');
      t.match(got.body, c.reason, 'and why');
      t.notMatch(got.body + got.headers, /should never be seen|evil/, 'nothing of the bad head reached the client');
      const line = await log.next((l) => l.msg === 'agent broke the stream protocol; stream closed');
      t.match(line.reason, c.reason, 'the reason is logged');
    }
  }
});
