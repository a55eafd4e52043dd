// Bad input on the agent endpoint (issue 3): certificates from another CA, expired or
// of the wrong kind; a Hello that claims another agent's name or never comes; Stream
// calls for unknown sessions; frames on idle streams and out of order. Each is refused
// with a logged reason while a real agent's long response keeps flowing.
import * as grpc from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { createCA, type IssuedCertificate } from '../../src/pki/index.js';
import type { Frame } from '../../src/tunnel/types.js';
import { frontDoorClient } from '../../testkit/client.js';
import { startTickingStream } from '../../testkit/ticking-stream.js';
import { watchLog } from '../../testkit/log-watch.js';
import { RawAgent } from '../../testkit/raw-agent.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
const goodLog = watchLog(env.controller);
await env.startAgent('good', [
  { type: 'x-echo', name: 'demo', url: upstream.url },
  { type: 'x-stream', name: 'ticks', url: upstream.url },
]);
const goodSession = String((await goodLog.next((l) => l.msg === 'agent connected' && l.agent === 'good')).session);
const goodToken = await env.token('good', 'x-echo', 'demo');
const address = `127.0.0.1:${env.ports.agents}`;
const plain = frontDoorClient(env.ca.certPem);

// A watch-like response through the good agent that must keep ticking throughout.
const long = await startTickingStream(env.frontDoorUrl, env.ca.certPem, await env.token('good', 'x-stream', 'ticks'));

const raws: RawAgent[] = [];
t.teardown(async () => {
  for (const r of raws) r.close();
  await long.stop();
  await plain.close();
  await env.close();
  await upstream.close();
});

function rawAgent(issued: IssuedCertificate, caPem = env.ca.certPem): RawAgent {
  const r = new RawAgent({ address, caPem, certPem: issued.certPem, keyPem: issued.keyPem });
  raws.push(r);
  return r;
}

const agentCert = (agent: string) => env.ca.issueClient({ kind: 'agent', agent });

/** Nothing else was disturbed: the long response still ticks and a good request works. */
async function expectStillServing(t: Test): Promise<void> {
  const before = long.ticks;
  const res = await request(`${env.frontDoorUrl}/after`, { dispatcher: plain, headers: { 'x-ferry-token': goodToken } });
  t.equal(res.statusCode, 200, 'a request through the good agent right after is served');
  await res.body.dump();
  const deadline = Date.now() + 2_000;
  while (long.ticks <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.ok(long.ticks > before, 'the long response keeps flowing');
  t.equal(long.error, undefined, 'the long response never broke');
  t.equal(env.controller.child.exitCode, null, 'the controller is still running');
}

void t.test('certificates the TLS handshake refuses', async (t) => {
  const otherCa = await createCA();
  const cases: { name: string; issued: () => Promise<IssuedCertificate>; reason: RegExp }[] = [
    {
      name: 'an agent certificate from another CA',
      issued: () => otherCa.issueClient({ kind: 'agent', agent: 'good' }),
      reason: /certificate/i,
    },
    {
      name: 'an expired agent certificate',
      issued: () =>
        env.ca.issueClient(
          { kind: 'agent', agent: 'good' },
          { notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) },
        ),
      reason: /expired/i,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const log = watchLog(env.controller);
      const raw = rawAgent(await c.issued());
      const control = raw.control();
      control.send({ hello: { version: 'raw', hostname: 'raw', name: 'good', services: [] } });
      const outcome = await control.ended;
      t.equal(outcome.code, grpc.status.UNAVAILABLE, `no call gets through (${outcome.details})`);
      t.equal(control.received.length, 0, 'no Welcome');
      const line = await log.next((l) => l.msg === 'agent TLS handshake refused');
      t.equal(line.level, 'warn');
      t.match(line.reason, c.reason, `logged: ${String(line.reason)}`);
      t.notOk(log.since().some((l) => l.msg === 'agent connected'), 'no session was made');
      await expectStillServing(t);
    });
  }
});

void t.test('certificates of the wrong kind are refused as agents', async (t) => {
  const cases = [
    { name: 'a control certificate', issued: () => env.ca.issueClient({ kind: 'control', name: 'ops' }), kind: 'control' },
    {
      name: 'a service certificate',
      issued: () => env.ca.issueClient({ kind: 'service', agent: 'good', type: 'x-echo', name: 'demo' }),
      kind: 'service',
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const log = watchLog(env.controller);
      const raw = rawAgent(await c.issued());
      const control = raw.control();
      control.send({ hello: { version: 'raw', hostname: 'raw', name: 'good', services: [] } });
      const refused = await control.next((e) => e.event === 'refused');
      t.equal(refused.refused?.code, 'FERRY_ERR_FORBIDDEN');
      t.match(refused.refused?.reason, new RegExp(`${c.kind} certificate may not connect as an agent`));
      t.equal((await control.ended).code, grpc.status.PERMISSION_DENIED, 'the call ends PERMISSION_DENIED');
      const line = await log.next((l) => l.msg === 'agent refused');
      t.equal(line.level, 'warn');
      t.equal(line.code, 'FERRY_ERR_FORBIDDEN');
      t.match(line.reason, /may not connect as an agent/);
      // Nor may it open a Stream call into the good agent's session.
      const stream = raw.stream(goodSession);
      t.equal((await stream.ended).code, grpc.status.UNAUTHENTICATED, 'a Stream call is refused too');
      const streamLine = await log.next((l) => l.msg === 'stream refused');
      t.match(streamLine.reason, /may not connect as an agent/);
      await expectStillServing(t);
    });
  }
});

void t.test('a Hello that claims another agent name', async (t) => {
  const log = watchLog(env.controller);
  const raw = rawAgent(await agentCert('evil'));
  const control = raw.control();
  control.send({ hello: { version: 'raw', hostname: 'raw', name: 'good', services: [{ type: 'x-echo', name: 'demo' }] } });
  const refused = await control.next((e) => e.event === 'refused');
  t.equal(refused.refused?.code, 'FERRY_ERR_FORBIDDEN');
  t.match(refused.refused?.reason, /Hello names agent "good" but the certificate is for "evil"/);
  t.equal((await control.ended).code, grpc.status.PERMISSION_DENIED);
  const line = await log.next((l) => l.msg === 'agent refused');
  t.match(line.reason, /certificate is for "evil"/);
  t.notOk(log.since().some((l) => l.msg === 'agent connected'), 'no session was made');
  // Requests for "good" still go only to the real agent.
  for (let i = 0; i < 10; i++) {
    const res = await request(`${env.frontDoorUrl}/who`, { dispatcher: plain, headers: { 'x-ferry-token': goodToken } });
    t.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { headers: Record<string, string> };
    t.match(body.headers.via, /ferry-agent\/good/);
  }
  await expectStillServing(t);
});

void t.test('a first message that is not Hello', async (t) => {
  const log = watchLog(env.controller);
  const raw = rawAgent(await agentCert('early'));
  const control = raw.control();
  control.send({ ping: { nonce: '1' } });
  const refused = await control.next((e) => e.event === 'refused');
  t.equal(refused.refused?.code, 'FERRY_ERR_BAD_INPUT');
  t.match(refused.refused?.reason, /expected Hello first, got ping/);
  t.equal((await control.ended).code, grpc.status.PERMISSION_DENIED);
  const line = await log.next((l) => l.msg === 'agent refused');
  t.match(line.reason, /expected Hello first/);
  await expectStillServing(t);
});

void t.test('Stream calls for sessions that are not the caller’s', async (t) => {
  const raw = rawAgent(await agentCert('evil'));
  const cases = [
    { name: 'an unknown session id', session: '00000000-0000-4000-8000-000000000000' },
    { name: 'no session id', session: undefined },
    { name: 'another agent’s live session id', session: goodSession },
  ];
  for (const c of cases) {
    const log = watchLog(env.controller);
    const stream = raw.stream(c.session);
    const outcome = await stream.ended;
    t.equal(outcome.code, grpc.status.FAILED_PRECONDITION, `${c.name}: refused`);
    t.equal(outcome.details, 'unknown session');
    const line = await log.next((l) => l.msg === 'stream for an unknown session refused');
    t.equal(line.agent, 'evil', `${c.name}: logged with the caller`);
  }
  await expectStillServing(t);
});

void t.test('a Data frame on an idle stream closes that stream only', async (t) => {
  const raw = rawAgent(await agentCert('chatty'));
  const { control, sessionId } = await raw.connect('chatty', [{ type: 'x-echo', name: 'demo' }]);
  const log = watchLog(env.controller);
  const quiet = raw.stream(sessionId);
  const stray = raw.stream(sessionId);
  await new Promise((r) => setTimeout(r, 100)); // both joined the pool
  stray.send({ data: Buffer.from('unasked') });
  const outcome = await stray.ended;
  t.equal(outcome.code, grpc.status.CANCELLED, `the stream is closed (${outcome.details})`);
  const line = await log.next((l) => l.msg === 'frame on an idle stream; closing it');
  t.equal(line.agent, 'chatty');
  t.equal(line.kind, 'data');
  // The session survives: its other idle stream still carries a request.
  const token = await env.token('chatty', 'x-echo', 'demo');
  const pending = request(`${env.frontDoorUrl}/via-quiet`, { dispatcher: plain, headers: { 'x-ferry-token': token } });
  const head = await quiet.next((f) => f.kind === 'request');
  t.equal(head.request?.path, '/via-quiet', 'the other stream got the next request');
  quiet.send({ response: { status: 200, headers: [{ name: 'content-type', value: 'text/plain' }], body: Buffer.from('quiet ok'), bodyComplete: true } });
  const res = await pending;
  t.equal(res.statusCode, 200);
  t.equal(await res.body.text(), 'quiet ok');
  control.call.end();
  await expectStillServing(t);
});

void t.test('streams an agent opens beyond maxIdlePerSession are closed at once', async (t) => {
  const raw = rawAgent(await agentCert('flooder'));
  const { control, sessionId } = await raw.connect('flooder', [{ type: 'x-echo', name: 'demo' }]);
  // The controller keeps 64 idle streams (the default); 70 arrive.
  const streams = Array.from({ length: 70 }, () => raw.stream(sessionId));
  const closed: number[] = [];
  streams.forEach((s, i) => void s.ended.then(() => closed.push(i)));
  await new Promise((r) => setTimeout(r, 1_000));
  t.equal(closed.length, 6, `the 6 beyond the limit were closed (${closed.length} closed)`);
  control.call.end();
  await expectStillServing(t);
});

interface OutOfOrder {
  name: string;
  frames: Frame[];
  /** What the client must see. */
  client: 'bad-gateway' | 'reset' | 'upstream-502';
  logged?: RegExp;
}

const ok = { status: 200, headers: [{ name: 'content-type', value: 'text/plain' }], body: Buffer.alloc(0), bodyComplete: false };

void t.test('frames out of order on a busy stream', async (t) => {
  const raw = rawAgent(await agentCert('sloppy'));
  const { control, sessionId } = await raw.connect('sloppy', [{ type: 'x-echo', name: 'demo' }]);
  const token = await env.token('sloppy', 'x-echo', 'demo');
  const cases: OutOfOrder[] = [
    { name: 'End before the response head', frames: [{ end: { trailers: [] } }], client: 'bad-gateway', logged: /end before the response head/i },
    { name: 'Data before the response head', frames: [{ data: Buffer.from('headless') }], client: 'bad-gateway', logged: /data before the response head/i },
    {
      name: 'a second response head',
      frames: [{ response: ok }, { data: Buffer.from('part') }, { response: ok }],
      client: 'reset',
      logged: /second response head/i,
    },
    {
      name: 'a request head from the agent',
      frames: [{ request: { method: 'GET', path: '/', headers: [] } }],
      client: 'bad-gateway',
      logged: /a request frame from the agent/,
    },
    // Nothing was sent yet, so the client can be told why (issue 17).
    { name: 'Reset before the response head', frames: [{ reset: { code: 'UPSTREAM', reason: 'early' } }], client: 'upstream-502' },
    { name: 'Reset in the middle of a body', frames: [{ response: ok }, { data: Buffer.from('part') }, { reset: { code: 'UPSTREAM', reason: 'mid' } }], client: 'reset' },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const log = watchLog(env.controller);
      const stream = raw.stream(sessionId);
      const pending = request(`${env.frontDoorUrl}/ooo`, { dispatcher: plain, headers: { 'x-ferry-token': token } });
      await stream.next((f) => f.kind === 'request');
      for (const f of c.frames) stream.send(f);
      let status = 0;
      let failed = false;
      let body = '';
      try {
        const res = await pending;
        status = res.statusCode;
        body = await res.body.text();
      } catch {
        failed = true;
      }
      if (c.client === 'bad-gateway') {
        t.equal(status, 502, 'the client gets 502, not a made-up success');
        t.match(body, /"code":"FERRY_ERR_AGENT_LOST"/);
      } else if (c.client === 'upstream-502') {
        t.equal(status, 502, 'the client gets 502 with the reason');
        t.match(body, /"code":"FERRY_ERR_UPSTREAM".*upstream reset: early/);
      } else {
        t.ok(failed, `the client sees the response break (status ${status}, ${body.length} bytes)`);
      }
      const outcome = await stream.ended;
      t.equal(outcome.code, grpc.status.CANCELLED, 'the controller closed the broken stream');
      if (c.logged) {
        const line = await log.next((l) => l.msg === 'agent broke the stream protocol; stream closed');
        t.equal(line.agent, 'sloppy');
        t.match(line.reason, c.logged);
      }
      await expectStillServing(t);
    });
  }
  control.call.end();
});

void t.test('End or Reset on a stream after its request finished', async (t) => {
  const raw = rawAgent(await agentCert('late'));
  const { control, sessionId } = await raw.connect('late', [{ type: 'x-echo', name: 'demo' }]);
  const token = await env.token('late', 'x-echo', 'demo');
  for (const extra of [{ end: { trailers: [] } }, { reset: { code: 'X', reason: 'late' } }]) {
    const log = watchLog(env.controller);
    const stream = raw.stream(sessionId);
    const res = await (async () => {
      const pending = request(`${env.frontDoorUrl}/done`, { dispatcher: plain, headers: { 'x-ferry-token': token } });
      await stream.next((f) => f.kind === 'request');
      stream.send({ response: { status: 200, headers: [], body: Buffer.from('done'), bodyComplete: true } });
      return pending;
    })();
    t.equal(res.statusCode, 200);
    t.equal(await res.body.text(), 'done', 'the finished request is unharmed');
    stream.send(extra);
    t.equal((await stream.ended).code, grpc.status.CANCELLED, `a late ${Object.keys(extra)[0]} closes the stream`);
    const line = await log.next((l) => l.msg === 'frame on an idle stream; closing it');
    t.equal(line.kind, Object.keys(extra)[0]);
  }
  control.call.end();
  await expectStillServing(t);
});

void t.test('after all of it the long response is still the same request', async (t) => {
  const before = long.ticks;
  await new Promise((r) => setTimeout(r, 200));
  t.ok(long.ticks > before, 'ticking');
  t.equal(long.error, undefined);
  t.equal(upstream.openStreams, 1, 'exactly the one long stream is open upstream');
  t.equal(upstream.startedStreams, 1, 'and it was never restarted');
});
