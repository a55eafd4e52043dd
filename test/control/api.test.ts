// The control API's doors and shapes: who gets in (control certificate or control token
// only), birger's paths and JSON, JWKS, and every bad input refused with a JSON error.
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import t from 'tap';
import { request } from 'undici';
import { controlAudience, kubectlAudience } from '../../src/tokens/index.js';
import { createCA } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { openTokenForge } from '../../testkit/forged-tokens.js';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv, type ControlAuth } from './control-env.js';

const upstream = await startUpstream();
const env = await startControlEnv();
t.teardown(async () => {
  await env.close();
  await upstream.close();
});
await env.startAgent('g1', [
  { type: 'kubernetes', name: 'default', url: upstream.url, annotations: { description: 'cluster' } },
  { type: 'x-echo', name: 'demo', url: upstream.url },
]);

async function pemFiles(name: string, certPem: string, keyPem: string): Promise<{ cert: string; key: string }> {
  const cert = join(env.dir, `${name}.crt`);
  const key = join(env.dir, `${name}.key`);
  await writeFile(cert, certPem);
  await writeFile(key, keyPem, { mode: 0o600 });
  return { cert, key };
}

const unb64 = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');

void t.test('only control credentials open the control API', async (t) => {
  const forge = await openTokenForge(env.dir, `ferry:${env.ca.trustDomain}`);
  const now = Math.floor(Date.now() / 1000);
  const controlClaims = { iss: `ferry:${env.ca.trustDomain}`, sub: 'ops', aud: controlAudience(), iat: now, exp: now + 60, jti: 'c-1', purpose: 'control' };
  const service = await env.call('POST', '/api/v1/credentials/service', { agent: 'g1', type: 'x-echo', name: 'demo' });
  const kubectl = await env.call('POST', '/api/v1/credentials/kubectl', { agent: 'g1', name: 'default' });
  const otherCa = await createCA({ trustDomain: 'ferry.local' });
  const cases: [string, ControlAuth, number, RegExp][] = [
    ['no credential', 'none', 401, /no credentials/],
    ['a service certificate', await env.serviceCert('g1', 'x-echo', 'demo'), 403, /a service certificate may not call the control API/],
    ['an agent certificate', await pemFiles('agent-g1-x', ...(await issued({ kind: 'agent', agent: 'g1' }))), 403, /agent certificate/],
    ['a certificate of another CA', await pemFiles('foreign', ...(await otherCa.issueClient({ kind: 'control', name: 'admin' }).then((c) => [c.certPem, c.keyPem] as const))), 401, /client certificate refused/],
    ['a service token', { token: String(service.json.token) }, 403, /a service token may not call the control API/],
    ['a kubectl token', { token: String(kubectl.json.token) }, 403, /a kubectl token/],
    ['an expired control token', { token: await forge.signed({ ...controlClaims, iat: now - 600, exp: now - 300 }) }, 401, /token expired/],
    ['a forged control token', { token: forge.unsigned(controlClaims) }, 401, /unsupported algorithm/],
    ['garbage', { token: 'not-a-jwt' }, 401, /malformed token/],
  ];
  for (const [what, auth, status, message] of cases) {
    const r = await env.call('GET', '/api/v1/agents', undefined, auth);
    t.equal(r.status, status, what);
    t.match(r.json, { error: { code: /^FERRY_ERR_/, message } }, what);
  }
  t.equal((await env.call('GET', '/api/v1/agents', undefined, { token: await forge.signed(controlClaims) })).status, 200, 'a good control token');
  // A kubectl token for the right route still works where it belongs.
  t.equal(kubectl.json.kubeconfig !== undefined, true);
  void kubectlAudience;
});

async function issued(identity: Parameters<typeof env.ca.issueClient>[0]): Promise<[string, string]> {
  const c = await env.ca.issueClient(identity);
  return [c.certPem, c.keyPem];
}

void t.test('bad input: each refused with status and JSON, nothing issued', async (t) => {
  const mark = env.controller.lines.length;
  const cases: [string, 'GET' | 'POST', string, unknown, number, RegExp][] = [
    ['unknown path', 'GET', '/api/v1/nope', undefined, 404, /no control API endpoint/],
    ['wrong method', 'GET', '/api/v1/credentials/service', undefined, 405, /GET is not allowed/],
    ['not JSON', 'POST', '/api/v1/credentials/service', '{nope', 400, /not valid JSON/],
    ['too large', 'POST', '/api/v1/credentials/service', JSON.stringify({ pad: 'x'.repeat(70_000) }), 413, /exceeds/],
    ['unknown type', 'POST', '/api/v1/credentials/service', { agent: 'g1', type: 'telnet', name: 'demo' }, 400, /unknown service type "telnet"/],
    ['unknown agent', 'POST', '/api/v1/credentials/service', { agent: 'ghost', type: 'x-echo', name: 'demo' }, 404, /unknown agent "ghost"/],
    ['service not offered', 'POST', '/api/v1/credentials/service', { agent: 'g1', type: 'jenkins', name: 'ci' }, 404, /offers no jenkins service/],
    ['not DNS-safe agent', 'POST', '/api/v1/credentials/service', { agent: 'G_1', type: 'x-echo', name: 'demo' }, 400, /invalid agent name/],
    ['not DNS-safe name', 'POST', '/api/v1/credentials/service', { agent: 'g1', type: 'x-echo', name: '../x' }, 400, /invalid service name/],
    ['missing field', 'POST', '/api/v1/credentials/service', { agent: 'g1', type: 'x-echo' }, 400, /name/],
    ['bad onboard name', 'POST', '/api/v1/agents/onboard', { agent: 'a'.repeat(64) }, 400, /invalid agent name/],
    ['bad control name', 'POST', '/api/v1/credentials/control', { name: 'Admin!' }, 400, /invalid control name/],
    ['revoke nothing', 'POST', '/api/v1/revocations', {}, 400, /exactly one of jti, serial or token/],
    ['revoke a bad serial', 'POST', '/api/v1/revocations', { serial: 'xyz' }, 400, /hex/],
    ['birger: bad agentName', 'POST', '/api/v1/generateKubectlComponents', { agentName: 'agent smith', name: 'x' }, 400, /invalid agentName/],
    ['birger: unknown agent', 'POST', '/api/v1/generateServiceCredentials', { agentName: 'ghost', type: 'x-echo', name: 'x' }, 404, /unknown agent/],
    ['birger: wrong method', 'POST', '/api/v1/getAgentStatistics', {}, 405, /POST is not allowed/],
  ];
  for (const [what, method, path, body, status, message] of cases) {
    const r = await env.call(method, path, body);
    t.equal(r.status, status, what);
    t.match(r.json, { error: { code: /^FERRY_ERR_/, message } }, what);
    t.notOk('token' in r.json || 'password' in r.json || 'certificate' in r.json, `${what}: nothing issued`);
  }
  await env.controller.waitFor((l) => env.controller.lines.indexOf(l) >= mark && l.msg === 'control API: request refused' && l.path === '/api/v1/getAgentStatistics');
  const since = env.controller.lines.slice(mark);
  t.equal(since.filter((l) => l.msg === 'control API: request refused').length, cases.length, 'every refusal logged');
  t.equal(since.filter((l) => l.msg === 'control API: credential issued' || l.msg === 'control API: agent onboarded').length, 0, 'nothing issued');
});

void t.test("birger's paths answer birger's JSON shapes", async (t) => {
  const kube = await env.call('POST', '/api/v1/generateKubectlComponents', { agentName: 'g1', name: 'default' });
  t.equal(kube.status, 200);
  t.same(Object.keys(kube.json).sort(), ['agentName', 'caCert', 'name', 'serverUrl', 'userCertificate', 'userKey']);
  t.match(kube.json, { agentName: 'g1', name: 'default', serverUrl: `https://localhost:${env.ports.frontDoor}` });
  t.equal(unb64(kube.json.caCert), env.ca.certPem);
  const userCert = new X509Certificate(unb64(kube.json.userCertificate));
  t.match(userCert.subjectAltName, 'URI:spiffe://ferry.local/service/g1/kubernetes/default');
  // The certificate works at the front door, as birger's did.
  const files = await pemFiles('birger-kube', unb64(kube.json.userCertificate), unb64(kube.json.userKey));
  const certClient = frontDoorClient(env.ca.certPem, files);
  t.teardown(() => certClient.close());
  const viaCert = await request(`${env.frontDoorUrl}/api`, { dispatcher: certClient });
  t.equal(viaCert.statusCode, 200);
  await viaCert.body.dump();

  const svc = await env.call('POST', '/api/v1/generateServiceCredentials', { agentName: 'g1', type: 'x-echo', name: 'demo' });
  t.same(Object.keys(svc.json).sort(), ['agentName', 'caCert', 'credential', 'credentialType', 'name', 'password', 'type', 'url', 'username']);
  t.match(svc.json, { agentName: 'g1', type: 'x-echo', name: 'demo', username: 'demo.g1', credentialType: 'basic', credential: { username: 'demo.g1' } });
  const basicClient = frontDoorClient(env.ca.certPem);
  t.teardown(() => basicClient.close());
  const cred = svc.json.credential as { username: string; password: string };
  const viaBasic = await request(`${env.frontDoorUrl}/b`, { dispatcher: basicClient, headers: { authorization: `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}` } });
  t.equal(viaBasic.statusCode, 200);
  await viaBasic.body.dump();
  const old = await env.call('POST', '/api/v1/generateServiceCredentials', { agentName: 'g1', Type: 'x-echo', Name: 'demo' });
  t.equal(old.status, 200, "birger's deprecated Type/Name fields");

  const manifest = await env.call('POST', '/api/v1/generateAgentManifestComponents', { agentName: 'g2' });
  t.same(Object.keys(manifest.json).sort(), ['agentName', 'agentToken', 'agentVersion', 'caCert', 'serverHostname', 'serverPort']);
  t.match(manifest.json, { agentName: 'g2', serverHostname: 'localhost', serverPort: env.ports.agents });

  const control = await env.call('POST', '/api/v1/generateControlCredentials', { name: 'tool' });
  t.same(Object.keys(control.json).sort(), ['caCert', 'name', 'url', 'userCertificate', 'userKey']);
  t.equal(control.json.url, `https://localhost:${env.controlPort}`);
  const toolFiles = await pemFiles('tool', unb64(control.json.userCertificate), unb64(control.json.userKey));
  const stats = await env.call('GET', '/api/v1/getAgentStatistics', undefined, toolFiles);
  t.equal(stats.status, 200, 'the issued control certificate works');
  t.match(stats.json, { serverTime: Number, version: String });
  const [g1] = stats.json.connectedAgents as Record<string, unknown>[];
  t.match(g1, { agentId: 'g1', name: 'g1', connectionType: 'direct', session: String, hostname: String, version: String, connectedAt: Number, lastUse: Number });
  t.same(g1?.endpoints, [
    { name: 'default', type: 'kubernetes', configured: true, annotations: { description: 'cluster' } },
    { name: 'demo', type: 'x-echo', configured: true, annotations: {} },
  ]);
});

void t.test('JWKS is public and verifies issued tokens', async (t) => {
  const jwks = await env.call('GET', '/.well-known/jwks.json', undefined, 'none');
  t.equal(jwks.status, 200);
  const set = jwks.json as unknown as JSONWebKeySet;
  t.match(set.keys[0], { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: String });
  t.notOk('d' in (set.keys[0] ?? {}), 'no private part');
  const svc = await env.call('POST', '/api/v1/credentials/service', { agent: 'g1', type: 'x-echo', name: 'demo' });
  const { payload } = await jwtVerify(String(svc.json.token), createLocalJWKSet(set));
  t.match(payload, { purpose: 'service', agent: 'g1', jti: String, exp: Number });
});
