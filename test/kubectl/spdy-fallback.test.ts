// When the API server refuses the WebSocket upgrade, kubectl falls back to a SPDY/3.1
// upgrade. Through ferry the refusal must reach kubectl as the upstream said it (status
// untouched, so the fallback triggers) and the SPDY request must reach the upstream
// with its headers intact. (The stand-in records SPDY upgrades but does not serve them.)
import { mkdir } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { KUBE_TOKEN, kubectl, startKubectlEnv } from './kubectl-env.js';

const env = await startKubectlEnv(t, { stand: { refuseWebSocket: true } });

void t.test('exec: refused WebSocket → SPDY/3.1 upgrade reaches the upstream, headers intact', async (t) => {
  const r = await kubectl(env, ['exec', '-i', 'web', '--', 'cat']);
  t.not(r.code, 0, 'SPDY streams are not served by the stand-in');
  t.comment(`kubectl exit code ${r.code}; stderr: ${r.stderr.trim()}`);

  const ws = env.kube.requests.find((x) => x.path.includes('/pods/web/exec?') && x.upgrade?.toLowerCase() === 'websocket');
  t.ok(ws, 'the WebSocket upgrade was tried first');
  t.equal(env.kube.spdyUpgrades.length, 1, 'then exactly one SPDY upgrade arrived');
  const spdy = env.kube.spdyUpgrades[0]!;
  t.equal(spdy.method, 'POST');
  t.equal(spdy.upgrade, 'SPDY/3.1');
  t.match(spdy.path, /^\/api\/v1\/namespaces\/default\/pods\/web\/exec\?/);
  t.match(spdy.path, /command=cat/);
  t.match(spdy.path, /stdin=true/);
  t.match(String(spdy.headers.connection).toLowerCase(), /upgrade/, 'Connection: Upgrade kept');
  const versions = String(spdy.headers['x-stream-protocol-version']).split(/,\s*/);
  t.same(versions, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'], 'X-Stream-Protocol-Version intact, all offered versions in order');
  t.equal(spdy.headers.authorization, `Bearer ${KUBE_TOKEN}`, "the agent's token");
  t.notOk(JSON.stringify(spdy.headers).includes(env.clientToken), "never the client's own credential");
  t.match(String(spdy.headers['user-agent']), /^kubectl\/v1\.32/);

  // The same command straight at the stand-in: the SPDY request must look the same,
  // apart from what a proxy adds (X-Forwarded-*, Via) and what differs per run.
  const directDir = join(env.dir, 'direct');
  await mkdir(directDir);
  const direct = await kubectl(env, ['exec', '-i', 'web', '--', 'cat'], { kubeconfig: await env.kube.writeKubeconfig(directDir) });
  t.equal(direct.code, r.code, 'kubectl fails the same way directly');
  t.equal(direct.stderr.trim(), r.stderr.trim(), 'with the same message');
  const plain = env.kube.spdyUpgrades[1]!;
  const comparable = (h: IncomingHttpHeaders): Record<string, unknown> => {
    const { host: _host, via: _via, 'kubectl-session': _session, 'x-forwarded-for': _xff, 'x-forwarded-proto': _xfp, 'x-forwarded-host': _xfh, ...rest } = h;
    return rest;
  };
  t.same(comparable(spdy.headers), comparable(plain.headers), 'every header kubectl sent arrived unchanged');
  t.equal(spdy.path.replace(/^.*\?/, ''), plain.path.replace(/^.*\?/, ''), 'query unchanged');
});

void t.test('port-forward: refused WebSocket → SPDY/3.1 upgrade with the portforward protocol', async (t) => {
  const before = env.kube.spdyUpgrades.length;
  const r = await kubectl(env, ['port-forward', 'pod/web', ':8080'], { timeoutMs: 30_000 });
  t.not(r.code, 0);
  t.not(r.signal, 'SIGKILL', 'kubectl gave up on its own');
  t.comment(`kubectl exit code ${r.code}; stderr: ${r.stderr.trim()}`);
  const spdy = env.kube.spdyUpgrades.slice(before);
  t.ok(spdy.length >= 1, 'the SPDY upgrade arrived');
  t.equal(spdy[0]?.upgrade, 'SPDY/3.1');
  t.match(spdy[0]?.path, /^\/api\/v1\/namespaces\/default\/pods\/web\/portforward/);
  t.equal(spdy[0]?.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  t.equal(spdy[0]?.headers.authorization, `Bearer ${KUBE_TOKEN}`);
});
