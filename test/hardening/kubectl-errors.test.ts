// kubectl prints ferry's reasons (issue 17): on `kubernetes` routes ferry's errors are a
// metav1.Status (kind Status, status Failure, message, reason, code; ferry's `error` kept
// beside), so real kubectl shows "agent … is not connected", "service … is unhealthy:
// <why>" and "token expired" instead of "the server is currently unable to handle the request".
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { decodeJwt } from 'jose';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { openTokenForge } from '../../testkit/forged-tokens.js';
import { kubectl, startKubectlEnv, type KubectlEnv } from '../kubectl/kubectl-env.js';

const env = await startKubectlEnv(t);
const original = await readFile(env.kubeconfig, 'utf8');

/** The same kubeconfig with another token in it. */
async function kubeconfigWith(name: string, token: string): Promise<string> {
  const file = join(env.dir, `kubeconfig-${name}`);
  await writeFile(file, original.replace(env.clientToken, token), { mode: 0o600 });
  return file;
}

async function getPods(e: KubectlEnv, kubeconfig: string) {
  return kubectl(e, ['get', 'pods', '--request-timeout=20s'], { kubeconfig });
}

void t.test('the Status body itself', async (t) => {
  const client = frontDoorClient(env.ferry.ca.certPem);
  t.teardown(() => client.close());
  const token = await env.ferry.token('gone', 'kubernetes', 'default');
  const res = await request(`${env.ferry.frontDoorUrl}/api/v1/pods`, { dispatcher: client, headers: { authorization: `Bearer ${token}` } });
  t.equal(res.statusCode, 503);
  t.same(await res.body.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'agent gone is not connected',
    reason: 'ServiceUnavailable',
    code: 503,
    error: { code: 'FERRY_ERR_NO_AGENT', message: 'agent gone is not connected' },
  });
  const other = await request(`${env.ferry.frontDoorUrl}/x`, { dispatcher: client, headers: { authorization: `Bearer ${await env.ferry.token('gone', 'x-web', 'w')}` } });
  t.same(await other.body.json(), { error: { code: 'FERRY_ERR_NO_AGENT', message: 'agent gone is not connected' } }, 'other routes keep ferry JSON');
});

void t.test('agent not connected, cold discovery cache: the reason arrives as a Warning', async (t) => {
  const file = await kubeconfigWith('gone', await env.ferry.token('gone', 'kubernetes', 'default'));
  const r = await getPods(env, file);
  t.equal(r.code, 1);
  t.match(r.stderr, /Warning: agent gone is not connected/, r.stderr);
});

void t.test('a good kubectl run fills the discovery cache', async (t) => {
  const r = await kubectl(env, ['get', 'pods']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout.toString(), /web/);
});

void t.test('agent not connected: the Status message is printed', async (t) => {
  const file = await kubeconfigWith('gone', await env.ferry.token('gone', 'kubernetes', 'default'));
  const r = await getPods(env, file);
  t.equal(r.code, 1);
  t.match(r.stderr, /Error from server \(ServiceUnavailable\): agent gone is not connected/, r.stderr);
});

void t.test('service unhealthy: the reason is printed', async (t) => {
  await env.ferry.startAgent('sick', [
    { type: 'kubernetes', name: 'default', url: 'https://127.0.0.1:9', kubernetes: { inCluster: { tokenFile: join(env.dir, 'kube-sa-token'), caFile: join(env.dir, 'kube-ca.crt') } }, health: { interval: '200ms', failures: 1, timeout: '1s' } },
  ]);
  const file = await kubeconfigWith('sick', await env.ferry.token('sick', 'kubernetes', 'default'));
  let r = await getPods(env, file);
  const deadline = Date.now() + 10_000;
  while (!/unhealthy/.test(r.stderr) && Date.now() < deadline) r = await getPods(env, file);
  t.equal(r.code, 1);
  t.match(r.stderr, /Error from server \(ServiceUnavailable\): service kubernetes\/default on agent sick is unhealthy: health probe GET \/readyz failed: .*ECONNREFUSED/, r.stderr);
});

void t.test('token expired', async (t) => {
  const forge = await openTokenForge(env.ferry.dir, `ferry:${env.ferry.ca.trustDomain}`);
  const now = Math.floor(Date.now() / 1000);
  const expired = await forge.signed({ ...decodeJwt(env.clientToken), iat: now - 7200, exp: now - 3600 });
  const r = await getPods(env, await kubeconfigWith('expired', expired));
  t.equal(r.code, 1);
  t.match(r.stderr, /error: You must be logged in to the server \(token expired\)/, r.stderr);
  t.notMatch(r.stderr, expired, 'the token is not printed');
});

