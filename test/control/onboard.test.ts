// Onboarding end to end with the real CLI: `get-creds agent` gives a one-time token, an
// agent with only that token enrols (own key, CSR), connects, and carries a request.
import { stat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { stringify } from 'yaml';
import { createCsr, serialOf } from '../../src/pki/index.js';
import { frontDoorClient } from '../../testkit/client.js';
import { runFerry, type FerryProcess } from '../../testkit/processes.js';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv } from './control-env.js';

const upstream = await startUpstream();
const env = await startControlEnv();
const procs: FerryProcess[] = [];
t.teardown(async () => {
  await Promise.all(procs.map((p) => p.stop('SIGKILL')));
  await env.close();
  await upstream.close();
});

async function bootstrapConfig(name: string, tokenFile: string, caFile: string): Promise<string> {
  const file = join(env.dir, `${name}.yaml`);
  await writeFile(
    file,
    stringify({
      controller: { address: `127.0.0.1:${env.ports.agents}`, serverName: 'localhost' },
      bootstrap: { tokenFile, controlUrl: env.controlUrl, caFile },
      certDir: join(env.dir, `${name}-certs`),
      services: [{ type: 'x-echo', name: 'demo', url: upstream.url, annotations: { description: 'echo' } }],
      annotations: { team: 'blue' },
      shutdown: { grace: '1s' },
    }),
  );
  return file;
}

const out = join(env.dir, 'onboard-b1');

void t.test('get-creds agent writes a token, config and manifests; the agent enrols and serves', async (t) => {
  const res = await env.cli(['get-creds', 'agent', '--agent', 'b1', '--out', out, '--namespace', 'tools']);
  t.equal(res.code, 0, res.stderr);
  t.equal((await stat(join(out, 'bootstrap-token'))).mode & 0o777, 0o600, 'token file is 0600');
  const manifests = await readFile(join(out, 'manifests.yaml'), 'utf8');
  for (const kind of ['ServiceAccount', 'Secret', 'Deployment']) t.match(manifests, `kind: ${kind}`);
  t.match(manifests, 'namespace: tools');
  t.match(await readFile(join(out, 'config.yaml'), 'utf8'), /bootstrap:\n\s+tokenFile:/);

  const agent = runFerry(['agent', '--config', await bootstrapConfig('b1', join(out, 'bootstrap-token'), join(out, 'ca.crt'))]);
  procs.push(agent);
  await agent.waitForMsg('agent enrolled');
  await agent.waitForMsg('connected to controller');
  const certDir = join(env.dir, 'b1-certs');
  t.equal((await stat(join(certDir, 'agent.key'))).mode & 0o777, 0o600, 'key is 0600');
  const enrolled = await env.controller.waitForMsg('control API: agent enrolled');
  t.equal(enrolled.serial, serialOf(await readFile(join(certDir, 'agent.crt'), 'utf8')), 'the controller signed the certificate the agent holds');

  const creds = await env.cli(['get-creds', 'service', '--agent', 'b1', '--type', 'x-echo', '--name', 'demo']);
  t.equal(creds.code, 0, creds.stderr);
  const svc = JSON.parse(creds.stdout) as { url: string; token: string; username: string; password: string };
  t.equal(svc.username, 'demo.b1');
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const basic = Buffer.from(`${svc.username}:${svc.password}`).toString('base64');
  for (const authorization of [`Bearer ${svc.token}`, `Basic ${basic}`]) {
    const r = await request(`${env.frontDoorUrl}/through/b1`, { dispatcher: client, headers: { authorization } });
    t.equal(r.statusCode, 200);
    const body = (await r.body.json()) as { url: string; headers: Record<string, string> };
    t.equal(body.url, '/through/b1');
    t.notOk(body.headers.authorization, 'the ferry token does not reach upstream');
  }

  const table = await env.cli(['agents']);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^AGENT\s+SESSION\s+HOSTNAME/);
  t.match(table.stdout, /b1 .*x-echo\/demo/);
  const json = await env.cli(['agents', '--json']);
  const [view] = JSON.parse(json.stdout) as { agent: string; hostname: string; version: string; annotations: Record<string, string>; services: { annotations: Record<string, string>; healthy: boolean }[] }[];
  t.equal(view?.agent, 'b1');
  t.ok(view?.hostname);
  t.ok(view?.version);
  t.same(view?.annotations, { team: 'blue' });
  t.same(view?.services[0]?.annotations, { description: 'echo' });
  t.equal(view?.services[0]?.healthy, true);
});

void t.test('a spent bootstrap token is refused, the refusal logged without the token', async (t) => {
  const token = (await readFile(join(out, 'bootstrap-token'), 'utf8')).trim();
  const again = runFerry(['agent', '--config', await bootstrapConfig('b1-again', join(out, 'bootstrap-token'), join(out, 'ca.crt'))]);
  procs.push(again);
  t.equal(await again.exited, 1, 'the second agent exits');
  t.match(again.raw.join('\n'), /bootstrap token already used/);
  const refused = await env.controller.waitFor((l) => l.msg === 'control API: request refused' && l.reason === 'bootstrap token already used');
  t.equal(refused.status, 401);
  t.notOk(env.controller.raw.some((l) => l.includes(token)), 'no log line holds the token');
});

void t.test('a CSR for another identity is refused and the token is not spent by it', async (t) => {
  const onboard = await env.call('POST', '/api/v1/agents/onboard', { agent: 'b2' });
  t.equal(onboard.status, 200);
  const token = String(onboard.json.bootstrapToken);
  const wrong = await createCsr({ kind: 'agent', agent: 'b3' }, env.ca.trustDomain);
  const bad = await env.call('POST', '/api/v1/agents/bootstrap', { csr: wrong.csrPem }, { token });
  t.equal(bad.status, 400);
  t.match(bad.json, { error: { code: 'FERRY_ERR_CSR', message: /b3/ } });
  const control = await createCsr({ kind: 'control', name: 'b2' }, env.ca.trustDomain);
  t.equal((await env.call('POST', '/api/v1/agents/bootstrap', { csr: control.csrPem }, { token })).status, 400, 'a control identity is refused');
  t.equal((await env.call('POST', '/api/v1/agents/bootstrap', { csr: 'not a csr' }, { token })).status, 400);
  const right = await createCsr({ kind: 'agent', agent: 'b2' }, env.ca.trustDomain);
  const ok = await env.call('POST', '/api/v1/agents/bootstrap', { csr: right.csrPem }, { token });
  t.equal(ok.status, 200);
  t.match(String(ok.json.certificate), /BEGIN CERTIFICATE/);
  t.notOk('key' in ok.json, 'no key in the answer');
  const reused = await env.call('POST', '/api/v1/agents/bootstrap', { csr: right.csrPem }, { token });
  t.equal(reused.status, 401);
  t.match(reused.json, { error: { message: 'bootstrap token already used' } });
});

void t.test('only a bootstrap token enrols; a revoked one does not', async (t) => {
  const csr = await createCsr({ kind: 'agent', agent: 'b4' }, env.ca.trustDomain);
  const service = await env.call('POST', '/api/v1/credentials/service', { agent: 'b1', type: 'x-echo', name: 'demo' });
  const asService = await env.call('POST', '/api/v1/agents/bootstrap', { csr: csr.csrPem }, { token: String(service.json.token) });
  t.equal(asService.status, 403);
  t.equal((await env.call('POST', '/api/v1/agents/bootstrap', { csr: csr.csrPem }, 'none')).status, 401);
  const onboard = await env.call('POST', '/api/v1/agents/onboard', { agent: 'b4' });
  t.equal((await env.call('POST', '/api/v1/revocations', { jti: onboard.json.jti })).status, 200);
  const revoked = await env.call('POST', '/api/v1/agents/bootstrap', { csr: csr.csrPem }, { token: String(onboard.json.bootstrapToken) });
  t.equal(revoked.status, 401);
  t.match(revoked.json, { error: { code: 'FERRY_ERR_UNAUTHENTICATED', message: 'token revoked' } });
});
