// The webhook over TLS with certificates from ferry's CA: mutual TLS works; a client
// without a certificate is refused by the server; a server certificate from another CA,
// or a server that offers less than TLS 1.3, is refused by the client.
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createCA } from '../../src/pki/index.js';
import { AuthWebhookClient, createAuthWebhookHandler, createWebhookServer, type WebhookRequestContext } from '../../src/webhooks/index.js';

const ca = await createCA();
const otherCa = await createCA({ commonName: 'someone else' });
const serverCert = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const strangerCert = await otherCa.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const clientCert = await ca.issueClient({ kind: 'control', name: 'webhook-client' });
const quick = { retryIntervalMs: 100, timeoutMs: 500, deadlineMs: 400 };

const seen: WebhookRequestContext[] = [];
const handler = createAuthWebhookHandler({
  onPassword: (req, context) => {
    seen.push(context);
    return { success: req.password === 'pw', authenticatedUsername: req.username };
  },
  onAuthz: () => true,
});

async function serve(cert: { certPem: string; keyPem: string }) {
  const server = createWebhookServer({ handler, tls: { cert: cert.certPem, key: cert.keyPem, ca: ca.certPem, requireClientCert: true } });
  const url = await server.listen();
  t.teardown(() => server.close());
  return url;
}

const url = await serve(serverCert);

void t.test('mutual TLS with certificates from ferry CA', async (t) => {
  t.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const client = new AuthWebhookClient({ url, ca: ca.certPem, cert: clientCert.certPem, key: clientCert.keyPem, cacheTtlMs: 0, ...quick });
  t.teardown(() => client.close());
  const outcome = await client.password('alice', 'pw', { remoteAddress: '127.0.0.1:1' });
  t.equal(outcome.success, true);
  t.equal(outcome.authenticatedUsername, 'alice');
  t.ok(seen.at(-1)?.peerCertificate?.subjectaltname?.includes('spiffe://ferry.local/control/webhook-client'), 'the server callback sees the client certificate');
});

void t.test('a client without a certificate is refused by the server', async (t) => {
  const client = new AuthWebhookClient({ url, ca: ca.certPem, cacheTtlMs: 0, ...quick });
  t.teardown(() => client.close());
  const before = seen.length;
  await t.rejects(client.password('alice', 'pw', { remoteAddress: '127.0.0.1:1' }), { code: 'FERRY_ERR_UNAVAILABLE' });
  t.equal(seen.length, before, 'no callback ran');
});

void t.test('a server certificate from another CA is refused by the client', async (t) => {
  const strangerUrl = await serve(strangerCert);
  const client = new AuthWebhookClient({ url: strangerUrl, ca: ca.certPem, cert: clientCert.certPem, key: clientCert.keyPem, cacheTtlMs: 0, ...quick });
  t.teardown(() => client.close());
  const before = seen.length;
  await t.rejects(client.password('alice', 'pw', { remoteAddress: '127.0.0.1:1' }), { code: 'FERRY_ERR_UNAVAILABLE', message: /certificate/i });
  t.equal(seen.length, before, 'the stranger was never told the password');
});

void t.test('TLS 1.3 by default: a TLS 1.2-only server is refused; allowed when asked for', async (t) => {
  const server = createHttpsServer({ cert: serverCert.certPem, key: serverCert.keyPem, maxVersion: 'TLSv1.2' }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"success":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const oldUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const strict = new AuthWebhookClient({ url: oldUrl, ca: ca.certPem, cacheTtlMs: 0, ...quick });
  const lenient = new AuthWebhookClient({ url: oldUrl, ca: ca.certPem, cacheTtlMs: 0, minTlsVersion: 'TLSv1.2', ...quick });
  t.teardown(async () => {
    await strict.close();
    await lenient.close();
  });
  await t.rejects(strict.password('alice', 'pw', { remoteAddress: '127.0.0.1:1' }), { code: 'FERRY_ERR_UNAVAILABLE' });
  t.equal((await lenient.password('alice', 'pw', { remoteAddress: '127.0.0.1:1' })).success, true);
});

void t.test('an http:// URL needs allowPlainHttp; a URL with credentials is refused', (t) => {
  t.throws(() => new AuthWebhookClient({ url: 'http://127.0.0.1:1' }), { code: 'FERRY_ERR_BAD_CONFIG', message: /https/ });
  t.throws(() => new AuthWebhookClient({ url: 'https://u:p@127.0.0.1:1' }), { code: 'FERRY_ERR_BAD_CONFIG' });
  t.end();
});
