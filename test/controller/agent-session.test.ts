// The idle pool: streams the agent opens beyond maxIdleStreams are closed at once; streams
// coming back from requests may exceed it until they sat unused for a whole trim interval.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { AgentSession } from '../../src/controller/agent-session.js';
import { TunnelStream } from '../../src/tunnel/tunnel-stream.js';
import type { HelloIn } from '../../src/tunnel/types.js';

class FakeCall extends EventEmitter {
  ended = false;
  write(): boolean {
    return true;
  }
  end(): void {
    this.ended = true;
  }
  pause(): void {}
  resume(): void {}
}

const TRIM_MS = 200;

function setup(): { session: AgentSession; open: () => { stream: TunnelStream; call: FakeCall } } {
  const session = new AgentSession('a1', { services: [] } as unknown as HelloIn, () => undefined, {
    maxIdleStreams: 2,
    streamWaitMs: 1_000,
    trimIntervalMs: TRIM_MS,
  });
  const open = () => {
    const call = new FakeCall();
    const stream = new TunnelStream(call, { cancel: () => undefined, onStray: () => undefined });
    session.addStream(stream);
    return { stream, call };
  };
  return { session, open };
}

/** Four streams busy, then all four back in the pool (two past the limit). */
async function fourReturned(session: AgentSession, open: () => { call: FakeCall }): Promise<FakeCall[]> {
  const calls = [open().call, open().call];
  const busy = [await session.acquire(), await session.acquire()];
  calls.push(open().call, open().call);
  busy.push(await session.acquire(), await session.acquire());
  for (const s of busy) session.release(s);
  return calls;
}

void t.test('a new stream beyond the limit is closed at once', (t) => {
  const { session, open } = setup();
  t.teardown(() => session.close('test over'));
  const calls = [open().call, open().call, open().call];
  t.same(calls.map((c) => c.ended), [false, false, true]);
  t.equal(session.idleStreams, 2);
  t.end();
});

void t.test('returning streams stay past the limit until an interval passes unused', async (t) => {
  const { session, open } = setup();
  t.teardown(() => session.close('test over'));
  const calls = await fourReturned(session, open);
  t.equal(session.idleStreams, 4, 'all four back in the pool');
  t.notOk(calls.some((c) => c.ended), 'none closed yet');
  await sleep(TRIM_MS * 1.5);
  t.equal(session.idleStreams, 2, 'trimmed to the limit');
  t.equal(calls.filter((c) => c.ended).length, 2, 'two closed');
});

void t.test('streams used during the interval are not trimmed at its end', async (t) => {
  const { session, open } = setup();
  t.teardown(() => session.close('test over'));
  const calls = await fourReturned(session, open);
  // Busy again right away: all four were needed during this interval.
  const again = [await session.acquire(), await session.acquire(), await session.acquire(), await session.acquire()];
  for (const s of again) session.release(s);
  await sleep(TRIM_MS * 1.5);
  t.equal(session.idleStreams, 4, 'kept after the first interval');
  await sleep(TRIM_MS);
  t.equal(session.idleStreams, 2, 'trimmed after an interval without use');
  t.equal(calls.filter((c) => c.ended).length, 2);
});
