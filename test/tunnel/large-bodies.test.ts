// 1 GiB each way through controller and agent, hashed at both ends, while the memory of
// both processes stays flat: bodies are streamed, never buffered whole.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { rssBytes, sampleRss } from '../../testkit/rss.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { PATTERN, patternSha256, startUpstream } from '../fixtures/upstream.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
// Peak RSS may grow by window- and buffer-sized amounts, never by anything near the body.
const MAX_GROWTH = 160 * MiB;

const upstream = await startUpstream();
const env = await startTunnelEnv();
const agent = await env.startAgent('a1', [{ type: 'x-files', name: 'store', url: upstream.url }]);
const token = await env.token('a1', 'x-files', 'store');
const pids = [env.controller.child.pid!, agent.child.pid!];
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

for (const h2 of [false, true]) {
  void t.test(`1 GiB download over ${h2 ? 'h2' : 'HTTP/1.1'}: same sha256, flat memory`, async (t) => {
    const client = frontDoorClient(env.ca.certPem, { h2 });
    t.teardown(() => client.close());
    const before = pids.map(rssBytes);
    const sampler = sampleRss(pids);
    const res = await request(`${env.frontDoorUrl}/download?bytes=${GiB}`, { dispatcher: client, headers: { 'x-ferry-token': token } });
    t.equal(res.statusCode, 200);
    const hash = createHash('sha256');
    let n = 0;
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
    }
    const peaks = sampler.stop();
    t.equal(n, GiB);
    t.equal(hash.digest('hex'), patternSha256(GiB));
    peaks.forEach((p, i) => t.ok(p - before[i]! < MAX_GROWTH, `${i ? 'agent' : 'controller'} RSS grew ${((p - before[i]!) / MiB).toFixed(1)} MiB`));
  });
}

void t.test('1 GiB upload: same sha256 at the upstream, flat memory', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const before = pids.map(rssBytes);
  const sampler = sampleRss(pids);
  let left = GiB;
  const body = new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, PATTERN.length);
      left -= n;
      this.push(n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n));
    },
  });
  const res = await request(`${env.frontDoorUrl}/upload`, { dispatcher: client, method: 'POST', body, headers: { 'x-ferry-token': token } });
  const result = (await res.body.json()) as { bytes: number; sha256: string };
  const peaks = sampler.stop();
  t.equal(res.statusCode, 200);
  t.equal(result.bytes, GiB);
  t.equal(result.sha256, patternSha256(GiB));
  peaks.forEach((p, i) => t.ok(p - before[i]! < MAX_GROWTH, `${i ? 'agent' : 'controller'} RSS grew ${((p - before[i]!) / MiB).toFixed(1)} MiB`));
});
