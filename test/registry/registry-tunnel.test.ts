// A private registry reached through the agent: docker-registry 2.8 (token auth against
// ferry's CA) behind an agent's `registry` service whose robot account fetches its tokens;
// skopeo talks to the front door by host name with tokens from ferry's endpoint. Measures
// a large image's push and pull through controller + agent (FERRY_REGISTRY_MIB, default 100).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import t from 'tap';
import { startDockerRegistry } from '../../testkit/docker-registry.js';
import { exec } from '../../testkit/exec.js';
import { makeOciImage } from '../../testkit/oci-image.js';
import { rssBytes, sampleRss } from '../../testkit/rss.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const SERVICE = 'site-registry';
const MIB = Number(process.env.FERRY_REGISTRY_MIB ?? 100);
const PW = { alice: 'alice-pw', bob: 'bob-pw', robot: 'robot-secret-pw' };
const hash = (pw: string) => bcrypt.hashSync(pw, 4);

const env = await startTunnelEnv({
  registry: {
    services: [SERVICE],
    authenticators: [{ kind: 'static', users: { alice: { password: hash(PW.alice) }, bob: { password: hash(PW.bob) }, robot: { password: hash(PW.robot) } } }],
    acl: [
      { match: { account: 'robot' }, actions: ['*'] },
      { match: { account: '/.+/', name: '${account}/*' }, actions: ['*'] },
      { match: { account: '/.+/' }, actions: ['pull'] },
    ],
    tunnels: [{ host: 'localhost', agent: 'site', name: 'main' }],
  },
});
const work = await mkdtemp(join(tmpdir(), 'ferry-registry-tunnel-'));
const caFile = join(env.dir, 'ca.crt');
const realm = `https://localhost:${env.ports.frontDoor}/registry/auth`;
const registry = await startDockerRegistry({ realm, service: SERVICE, issuer: `ferry:${env.ca.trustDomain}`, rootCertBundle: caFile });
t.teardown(async () => {
  await registry.close();
  await env.close();
  await rm(work, { recursive: true, force: true });
});
await writeFile(join(env.dir, 'robot.pw'), PW.robot);
const agent = await env.startAgent('site', [
  { type: 'registry', name: 'main', url: registry.url, tls: { caFile }, credential: { kind: 'basic', username: 'robot', password: { file: join(env.dir, 'robot.pw') } } },
]);
await writeFile(join(work, 'ca.crt'), env.ca.certPem);
const host = `localhost:${env.ports.frontDoor}`;
const skopeo = (...args: string[]) => exec('skopeo', ['--registries-conf', '/dev/null', ...args], { timeoutMs: 120_000, env: { ...process.env, HOME: work } });
const creds = (u: keyof typeof PW) => `${u}:${PW[u]}`;

async function layerOf(dir: string): Promise<string> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers[0]!.digest;
}

void t.test('skopeo pushes, lists and pulls through controller + agent by host name; the agent adds its robot token', async (t) => {
  const image = await makeOciImage(join(work, 'small'));
  const push = await skopeo('copy', '--dest-cert-dir', work, '--dest-creds', creds('alice'), `oci:${image.dir}:v1`, `docker://${host}/alice/app:v1`);
  t.equal(push.code, 0, `push: ${push.stderr}`);
  const tags = await skopeo('list-tags', '--cert-dir', work, '--creds', creds('bob'), `docker://${host}/alice/app`);
  t.equal(tags.code, 0, tags.stderr);
  t.same((JSON.parse(tags.stdout || '{}') as { Tags?: string[] }).Tags, ['v1']);
  const out = join(work, 'small-pulled');
  const pull = await skopeo('copy', '--src-cert-dir', work, '--src-creds', creds('bob'), `docker://${host}/alice/app:v1`, `oci:${out}:v1`);
  t.equal(pull.code, 0, pull.stderr);
  t.equal(await layerOf(out), image.layerDigest);
  // The robot's password and tokens never show in either log.
  t.notOk([...env.controller.raw].join('\n').includes(PW.robot));
});

void t.test('denials: no push right (the front door challenges), a wrong password', async (t) => {
  const image = await makeOciImage(join(work, 'denied'));
  const push = await skopeo('copy', '--dest-cert-dir', work, '--dest-creds', creds('bob'), `oci:${image.dir}:v1`, `docker://${host}/alice/app:v2`);
  t.not(push.code, 0, 'bob may not push to alice/app');
  t.match(push.stderr, /unauthorized|denied|authentication required|401/i);
  const wrong = await skopeo('list-tags', '--cert-dir', work, '--creds', 'alice:wrong', `docker://${host}/alice/app`);
  t.not(wrong.code, 0);
  // Without a token the front door answers docker's challenge, naming ferry's realm.
  const { request, Agent } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: env.ca.certPem } });
  const res = await request(`https://${host}/v2/alice/app/tags/list`, { dispatcher });
  await res.body.dump();
  t.equal(res.statusCode, 401);
  t.equal(res.headers['www-authenticate'], `Bearer realm="${realm}",service="${SERVICE}",scope="repository:alice/app:pull"`);
  // Paths outside the registry API on that host are the front door's as usual.
  const other = await request(`https://${host}/hello`, { dispatcher });
  await other.body.dump();
  t.equal(other.statusCode, 401, 'not the registry: ferry asks for its own credentials');
  await dispatcher.close();
});

void t.test(`a ${MIB} MiB image in and out through controller + agent`, { skip: MIB <= 0 }, async (t) => {
  const image = await makeOciImage(join(work, 'big'), { bytes: MIB * 1024 * 1024 });
  const pids = [env.controller.child.pid!, agent.child.pid!];
  const before = pids.map((p) => rssBytes(p) / 1024 / 1024);
  const rss = sampleRss(pids);
  let start = process.hrtime.bigint();
  const push = await skopeo('copy', '--dest-cert-dir', work, '--dest-creds', creds('alice'), `oci:${image.dir}:v1`, `docker://${host}/alice/big:v1`);
  const pushS = Number(process.hrtime.bigint() - start) / 1e9;
  t.equal(push.code, 0, push.stderr);
  const out = join(work, 'big-pulled');
  start = process.hrtime.bigint();
  const pull = await skopeo('copy', '--src-cert-dir', work, '--src-creds', creds('alice'), `docker://${host}/alice/big:v1`, `oci:${out}:v1`);
  const pullS = Number(process.hrtime.bigint() - start) / 1e9;
  t.equal(pull.code, 0, pull.stderr);
  t.equal(await layerOf(out), image.layerDigest);
  const [controllerPeak, agentPeak] = rss.stop().map((b) => b / 1024 / 1024);
  const mib = image.layerSize / 1024 / 1024;
  // Streamed, not buffered: neither process grows by anything near the layer's size.
  // The same copies straight to the registry (no tunnel), for comparison.
  const direct = `127.0.0.1:${registry.port}`;
  start = process.hrtime.bigint();
  const dPush = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', creds('alice'), `oci:${image.dir}:v1`, `docker://${direct}/alice/direct:v1`);
  const dPushS = Number(process.hrtime.bigint() - start) / 1e9;
  t.equal(dPush.code, 0, dPush.stderr);
  start = process.hrtime.bigint();
  const dPull = await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds('alice'), `docker://${direct}/alice/direct:v1`, `oci:${join(work, 'direct-pulled')}:v1`);
  const dPullS = Number(process.hrtime.bigint() - start) / 1e9;
  t.equal(dPull.code, 0, dPull.stderr);
  t.comment(`straight to the registry: push ${dPushS.toFixed(2)} s (${(mib / dPushS).toFixed(1)} MiB/s), pull ${dPullS.toFixed(2)} s (${(mib / dPullS).toFixed(1)} MiB/s)`);
  t.comment(`RSS before: controller ${before[0]!.toFixed(0)} MiB, agent ${before[1]!.toFixed(0)} MiB`);
  t.comment(`registry through the tunnel: ${mib.toFixed(1)} MiB layer, push ${pushS.toFixed(2)} s (${(mib / pushS).toFixed(1)} MiB/s), pull ${pullS.toFixed(2)} s (${(mib / pullS).toFixed(1)} MiB/s); peak RSS controller ${controllerPeak!.toFixed(0)} MiB, agent ${agentPeak!.toFixed(0)} MiB`);
});
