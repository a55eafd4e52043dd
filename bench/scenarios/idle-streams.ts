// Scenario 5: N concurrent idle watch-like streams (one line, then silence) through one
// agent, opened over h2 to the front door (500 streams per connection). Measured: RSS
// growth of agent and controller per open stream, after all are open and settled.
import { connect, type ClientHttp2Session } from 'node:http2';
import { rssBytes } from '../../testkit/rss.js';
import { KiB, sleep } from '../lib/stats.js';
import type { World } from '../peers/setup.js';
import type { ResultRow, RunOptions } from '../report/result.js';
import { maxTarget } from '../report/targets.js';

const PER_SESSION = 500;

export async function idleStreams(world: World, opts: RunOptions): Promise<ResultRow[]> {
  const total = opts.quick ? 2000 : 10_000;
  const ferry = world.paths.find((p) => p.name === 'ferry')!;
  const pids = [world.ferry.controller.child.pid!, world.agent.process.child.pid!];
  const sessions: ClientHttp2Session[] = [];
  const before = pids.map(rssBytes);
  let opened = 0;
  try {
    const prefix = `idle-${Date.now()}-`;
    for (let s = 0; s * PER_SESSION < total; s++) {
      const session = connect(ferry.node.base, { rejectUnauthorized: false, servername: 'localhost', peerMaxConcurrentStreams: PER_SESSION });
      session.on('error', () => undefined);
      sessions.push(session);
      const n = Math.min(PER_SESSION, total - s * PER_SESSION);
      const ok = await Promise.all(
        Array.from({ length: n }, (_, i) => {
          const req = session.request({ ':path': `/idle?id=${prefix}${s}-${i}`, ...ferry.node.headers });
          req.on('error', () => undefined);
          return new Promise<boolean>((resolve) => {
            req.once('response', (h) => (h[':status'] === 200 ? req.once('data', () => resolve(true)) : resolve(false)));
            req.once('close', () => resolve(false));
          });
        }),
      );
      opened += ok.filter(Boolean).length;
    }
    await sleep(2000); // let allocation settle; RSS is what the kernel sees, GC or not
    const after = pids.map(rssBytes);
    const per = after.map((a, i) => (a - before[i]!) / opened / KiB);
    opts.log(`  ${opened}/${total} idle streams open; RSS per stream: controller ${per[0]!.toFixed(1)} KiB, agent ${per[1]!.toFixed(1)} KiB`);
    const scenario = `5 idle streams (${opened} open)`;
    return [
      { scenario, metric: 'RSS per idle stream, agent', unit: 'KiB', values: { ferry: per[1]! }, higherIsBetter: false, target: maxTarget(per[1], 10, '≤ 10 KiB') },
      { scenario, metric: 'RSS per idle stream, controller', unit: 'KiB', values: { ferry: per[0]! }, higherIsBetter: false, target: maxTarget(per[0], 10, '≤ 10 KiB') },
    ];
  } finally {
    for (const s of sessions) s.destroy();
  }
}
