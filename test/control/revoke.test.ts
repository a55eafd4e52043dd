// Revocation without a restart: a token, a service certificate, a control credential and
// an agent certificate (whose live connection is cut and whose reconnect is refused).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { serialOf } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv } from './control-env.js';

const upstream = await startUpstream();
const env = await startControlEnv();
t.teardown(async () => {
  await env.close();
  await upstream.close();
});
const agent = await env.startAgent('r1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);

async function revocationsFile(): Promise<{ jtis: { jti: string }[]; serials: { serial: string }[] }> {
  return JSON.parse(await readFile(join(env.dir, 'state', 'revocations.json'), 'utf8')) as { jtis: { jti: string }[]; serials: { serial: string }[] };
}

void t.test('a revoked service token stops working at once', async (t) => {
  const creds = await env.cli(['get-creds', 'service', '--agent', 'r1', '--type', 'x-echo', '--name', 'demo']);
  const { token, jti } = JSON.parse(creds.stdout) as { token: string; jti: string };
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const get = () => request(`${env.frontDoorUrl}/t`, { dispatcher: client, headers: { authorization: `Bearer ${token}` } });
  const before = await get();
  t.equal(before.statusCode, 200);
  await before.body.dump();
  const r = await env.call('POST', '/api/v1/revocations', { token });
  t.same(r.json, { revoked: { jti } });
  const after = await get();
  t.equal(after.statusCode, 401);
  t.match(await after.body.json(), { error: { message: 'token revoked' } });
  t.ok((await revocationsFile()).jtis.some((e) => e.jti === jti), 'persisted');
});

void t.test('a revoked service certificate stops working on the same connection', async (t) => {
  const svc = await env.serviceCert('r1', 'x-echo', 'demo');
  const client = frontDoorClient(env.ca.certPem, svc);
  t.teardown(() => client.close());
  const first = await request(`${env.frontDoorUrl}/c`, { dispatcher: client });
  t.equal(first.statusCode, 200);
  await first.body.dump();
  await env.call('POST', '/api/v1/revocations', { serial: serialOf(await readFile(svc.cert, 'utf8')) });
  const second = await request(`${env.frontDoorUrl}/c`, { dispatcher: client });
  t.equal(second.statusCode, 401);
  t.match(await second.body.json(), { error: { code: 'FERRY_ERR_CERT', message: 'certificate revoked' } });
});

void t.test('revoked control credentials lose the control API', async (t) => {
  const issued = await env.call('POST', '/api/v1/credentials/control', { name: 'ops' });
  t.equal(issued.status, 200);
  const cert = join(env.dir, 'ops.crt');
  const key = join(env.dir, 'ops.key');
  await writeFile(cert, String(issued.json.certificate));
  await writeFile(key, String(issued.json.key), { mode: 0o600 });
  const token = String(issued.json.token);
  t.equal((await env.call('GET', '/api/v1/agents', undefined, { cert, key })).status, 200);
  t.equal((await env.call('GET', '/api/v1/agents', undefined, { token })).status, 200);
  await env.call('POST', '/api/v1/revocations', { serial: String(issued.json.serial) });
  await env.call('POST', '/api/v1/revocations', { jti: String(issued.json.jti) });
  const byCert = await env.call('GET', '/api/v1/agents', undefined, { cert, key });
  t.equal(byCert.status, 401);
  t.match(byCert.json, { error: { message: 'certificate revoked' } });
  const byToken = await env.call('GET', '/api/v1/agents', undefined, { token });
  t.equal(byToken.status, 401);
  t.match(byToken.json, { error: { message: 'token revoked' } });
});

void t.test('a revoked agent certificate loses its live session and cannot reconnect', async (t) => {
  const client = frontDoorClient(env.ca.certPem, await env.serviceCert('r1', 'x-echo', 'demo'));
  t.teardown(() => client.close());
  const agentCert = await readFile(join(env.dir, 'agent-r1-0.crt'), 'utf8');
  const res = await env.call('POST', '/api/v1/revocations', { serial: serialOf(agentCert) });
  t.equal(res.json.droppedSessions, 1, 'the live session was dropped');
  await agent.waitForMsg('disconnected from controller; retrying');
  // The live session is cut with "certificate revoked", then the reconnect is refused the same way.
  await env.controller.waitFor((l) => l.msg === 'agent refused' && l.reason === 'certificate revoked' && env.controller.lines.filter((x) => x.msg === 'agent refused').length >= 2, 15_000);
  t.same((await env.call('GET', '/api/v1/agents')).json, { agents: [] });
  const r = await request(`${env.frontDoorUrl}/gone`, { dispatcher: client });
  t.equal(r.statusCode, 503);
  await r.body.dump();
});
