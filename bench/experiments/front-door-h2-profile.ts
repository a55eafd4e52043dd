// Issue 16, "front door off Node's HTTP/2 compatibility layer": where the controller's CPU
// goes for h2 clients. One controller and agent (x-echo, 1 KiB answers from a local node
// upstream), h2load in HTTP/2 mode (16 connections × 16 streams) for some seconds, the
// controller under --cpu-prof; its profile's self time is grouped by where the code lives
// (Node's http2 compatibility layer, http2 core, grpc-js, ferry, …) and printed, with the
// same run over HTTP/1.1 beside it for comparison.
// Usage: node dist/bench/experiments/front-door-h2-profile.js [seconds]
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmallUpstream } from '../lib/small-upstream.js';
import { exec } from '../../testkit/exec.js';
import { HEAP_FLAG } from '../../src/cli/heap-flag.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const seconds = Number(process.argv[2] ?? 8);
const { url: upstreamUrl, server: upstream } = await startSmallUpstream();

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  hitCount?: number;
}
function place(url: string, fn: string): string {
  if (url.includes('internal/http2/compat')) return "node:http2 compatibility layer (compat.js)";
  if (url.includes('internal/http2/')) return 'node:http2 core';
  if (url.includes('@grpc/grpc-js')) return 'grpc-js';
  if (url.includes('protobufjs')) return 'protobufjs';
  if (url.includes('/dist/src/')) return 'ferry';
  if (url.startsWith('node:internal/tls') || url.startsWith('node:tls') || url.includes('_tls_')) return 'node:tls';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:stream')) return 'node:streams';
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http')) return 'node:http (HTTP/1.1)';
  if (url.startsWith('node:')) return 'node: other';
  if (url.includes('node_modules')) return 'other packages';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)' || fn === '(program)') return fn;
  return 'native / V8';
}

for (const mode of ['h2', 'h1'] as const) {
  const profDir = await mkdtemp(join(tmpdir(), 'ferry-prof-'));
  const env = await startTunnelEnv({}, { nodeArgs: [HEAP_FLAG, '--cpu-prof', `--cpu-prof-dir=${profDir}`], grace: '1s', stopSignal: 'SIGTERM' });
  let controllerPid = 0;
  try {
    controllerPid = env.controller.child.pid!;
    await env.startAgent('bench', [{ type: 'x-echo', name: 'demo', url: upstreamUrl }]);
    const token = await env.token('bench', 'x-echo', 'demo', { ttlSeconds: 3600 });
    const load = mode === 'h2' ? ['-c', '16', '-m', '16'] : ['--h1', '-c', '64'];
    const r = await exec('h2load', [...load, '-D', String(seconds), '-H', `x-ferry-token: ${token}`, `${env.frontDoorUrl}/small`], { timeoutMs: (seconds + 60) * 1000 });
    process.stdout.write(`${mode}: ${/finished in [^\n]*/.exec(r.stdout)?.[0] ?? r.stdout}\n`);
  } finally {
    await env.close();
  }
  const file = (await readdir(profDir)).find((f) => f.includes(`.${controllerPid}.`));
  if (!file) throw new Error(`no profile of the controller (pid ${controllerPid}) in ${profDir}`);
  const prof = JSON.parse(await readFile(join(profDir, file), 'utf8')) as { nodes: ProfileNode[] };
  const by = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const hits = n.hitCount ?? 0;
    const where = place(n.callFrame.url, n.callFrame.functionName);
    if (where === '(idle)' || where === '(program)') continue;
    by.set(where, (by.get(where) ?? 0) + hits);
    const fileKey = n.callFrame.url ? n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:.*\/dist\//, 'dist/') : n.callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + hits);
    total += hits;
  }
  process.stdout.write(`controller self time, ${mode} clients (busy samples ${total}):\n`);
  for (const [where, hits] of [...by].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${where}\n`);
  process.stdout.write('  the ten largest files or native entries:\n');
  for (const [f, hits] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 10)) process.stdout.write(`  ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${f}\n`);
  await rm(profDir, { recursive: true, force: true });
}
upstream.close();
