// The front door picks the TLS 1.3 suite in ferry's order (AES-128-GCM first, cheaper per
// byte here), not the client's (Node and curl put AES-256-GCM first); a client that offers
// only another suite still connects; FERRY_TLS_CIPHERS replaces the list.
import { execFile } from 'node:child_process';
import { connect, DEFAULT_CIPHERS } from 'node:tls';
import { join } from 'node:path';
import t from 'tap';
import { ferryCiphers } from '../../src/pki/tls-ciphers.js';
import { startFrontDoorEnv } from './front-door-env.js';

const env = await startFrontDoorEnv({});
t.teardown(() => env.close());
const port = Number(new URL(env.frontDoorUrl).port);

function suiteFor(ciphers: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca: env.ca.certPem, servername: 'localhost', ciphers, ALPNProtocols: ['h2'] }, () => {
      resolve(s.getCipher().standardName);
      s.end();
    });
    s.on('error', reject);
  });
}

void t.test("ferry's order wins over the client's", async (t) => {
  t.match(DEFAULT_CIPHERS, /^TLS_AES_256_GCM_SHA384/, "Node's own order (what a client asks for)");
  t.equal(await suiteFor(DEFAULT_CIPHERS), 'TLS_AES_128_GCM_SHA256');
});

void t.test('a client offering only ChaCha20 or AES-256 gets it', async (t) => {
  t.equal(await suiteFor('TLS_CHACHA20_POLY1305_SHA256'), 'TLS_CHACHA20_POLY1305_SHA256');
  const out = await new Promise<string>((resolve) =>
    execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(env.dir, 'ca.crt'), '--tls13-ciphers', 'TLS_AES_256_GCM_SHA384', `${env.frontDoorUrl}/x`], (_e, stdout) => resolve(stdout)),
  );
  t.equal(out, '401', 'curl with AES-256 only reaches the front door (and is asked for credentials)');
});

void t.test('the list: ours first, TLS 1.2 kept, FERRY_TLS_CIPHERS replaces it', (t) => {
  const list = ferryCiphers({}).split(':');
  t.same(list.slice(0, 3), ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  t.ok(list.includes('ECDHE-ECDSA-AES128-GCM-SHA256'), 'TLS 1.2 clients still have suites');
  t.equal(ferryCiphers({ FERRY_TLS_CIPHERS: 'TLS_CHACHA20_POLY1305_SHA256' }), 'TLS_CHACHA20_POLY1305_SHA256');
  t.end();
});
