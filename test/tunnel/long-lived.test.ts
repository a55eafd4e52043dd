// A response that stays silent for 45 s between two writes keeps flowing: no idle or
// body timeout anywhere on the path (watches and logs -f last hours).
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
await env.startAgent('a1', [{ type: 'x-watch', name: 'w', url: upstream.url }]);
const token = await env.token('a1', 'x-watch', 'w');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

void t.test('45 s of silence between two writes', { timeout: 90_000 }, async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const started = Date.now();
  const res = await request(`${env.frontDoorUrl}/silent?ms=45000`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  const parts: { at: number; text: string }[] = [];
  for await (const chunk of res.body) parts.push({ at: Date.now() - started, text: (chunk as Buffer).toString() });
  const text = parts.map((p) => p.text).join('');
  t.equal(text, 'first\nsecond\n');
  t.ok(parts[0]!.at < 5_000, 'the first line arrived at once, not buffered');
  t.ok(parts.at(-1)!.at >= 45_000, 'the second line came after the silence');
});
