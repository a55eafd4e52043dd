// Short-lived agent certificates (6 s here) renew over the control stream at 2/3 of
// their life while a long response keeps flowing through the same connection.
import { readFile, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { stringify } from 'yaml';
import { frontDoorClient } from '../../testkit/client.js';
import { runFerry } from '../../testkit/processes.js';
import { startUpstream } from '../fixtures/upstream.js';
import { startControlEnv } from './control-env.js';

const upstream = await startUpstream();
const env = await startControlEnv({ agentCertificateTtl: '6s' });
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

void t.test('an enrolled agent renews its certificate while a long request flows', async (t) => {
  const onboard = await env.call('POST', '/api/v1/agents/onboard', { agent: 'n1' });
  const tokenFile = join(env.dir, 'n1-token');
  await writeFile(tokenFile, String(onboard.json.bootstrapToken), { mode: 0o600 });
  const certDir = join(env.dir, 'n1-certs');
  const file = join(env.dir, 'n1.yaml');
  await writeFile(
    file,
    stringify({
      controller: { address: `127.0.0.1:${env.ports.agents}`, serverName: 'localhost' },
      bootstrap: { tokenFile, controlUrl: env.controlUrl, caFile: env.caFile },
      certDir,
      services: [{ type: 'x-echo', name: 'demo', url: upstream.url }],
      shutdown: { grace: '1s' },
    }),
  );
  const agent = runFerry(['agent', '--config', file]);
  t.teardown(() => agent.stop('SIGKILL'));
  await agent.waitForMsg('connected to controller');
  const first = new X509Certificate(await readFile(join(certDir, 'agent.crt'), 'utf8'));
  const firstKey = await readFile(join(certDir, 'agent.key'), 'utf8');
  const started = Date.now();

  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const creds = await env.call('POST', '/api/v1/credentials/service', { agent: 'n1', type: 'x-echo', name: 'demo' });
  const res = await request(`${env.frontDoorUrl}/stream`, { dispatcher: client, headers: { authorization: `Bearer ${String(creds.json.token)}` } });
  t.equal(res.statusCode, 200);
  let bytes = 0;
  let lastTickAt = 0;
  res.body.on('data', (d: Buffer) => {
    bytes += d.length;
    lastTickAt = Date.now();
  });

  // Two renewals: at ~4 s and ~8 s after enrolment; the first certificate is dead by ~6 s.
  await agent.waitFor((l) => l.msg === 'agent certificate renewed' && agent.count('agent certificate renewed') >= 2, 20_000);
  const elapsed = Date.now() - started;
  t.ok(elapsed > 6_000, `past the first certificate's end (${elapsed} ms)`);
  t.ok(Date.now() - lastTickAt < 500, 'the long response is still flowing');
  t.ok(bytes > 100, `bytes kept coming (${bytes})`);
  t.equal(agent.count('disconnected from controller; retrying'), 0, 'no reconnect was needed');

  const now = new X509Certificate(await readFile(join(certDir, 'agent.crt'), 'utf8'));
  t.not(now.serialNumber, first.serialNumber, 'a new certificate on disk');
  t.not(await readFile(join(certDir, 'agent.key'), 'utf8'), firstKey, 'with a new key made by the agent');
  t.ok(Date.parse(now.validTo) - Date.parse(now.validFrom) < 6_000 + 5 * 60_000 + 1_000, 'short-lived');
  t.equal(env.controller.count('agent certificate renewed'), agent.count('agent certificate renewed'), 'the controller signed each one');
  res.body.destroy();

  // A fresh request after the first certificate expired, on the same connection.
  const again = await request(`${env.frontDoorUrl}/after`, { dispatcher: client, headers: { authorization: `Bearer ${String(creds.json.token)}` } });
  t.equal(again.statusCode, 200);
  await again.body.dump();

  // A reconnect uses the renewed certificate (the old one has expired by now).
  await agent.stop('SIGTERM');
  const restarted = runFerry(['agent', '--config', file]);
  t.teardown(() => restarted.stop('SIGKILL'));
  await restarted.waitForMsg('agent certificate found; bootstrap token not needed');
  await restarted.waitForMsg('connected to controller');
});
