// WebhookAuthenticator and WebhookAuthoriser against a real webhook server built with
// ferry's helpers, over mutual TLS with certificates from ferry's CA (no controller):
// Basic → /password, a non-ferry Bearer token → /token, then /authz per route.
import { UnsecuredJWT } from 'jose';
import t, { type Test } from 'tap';
import type { Caller, FrontDoorRequest } from '../../src/controller/front-door/types.js';
import { createCA } from '../../src/pki/index.js';
import {
  AuthWebhookClient,
  createAuthWebhookHandler,
  createWebhookServer,
  defaultRemoteAddressOf,
  WebhookAuthenticator,
  WebhookAuthoriser,
  type AuthWebhookClientOptions,
  type AuthzRequest,
} from '../../src/webhooks/index.js';
import { capturedLog } from './webhook-kit.js';

const ca = await createCA();
const serverCert = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const clientCert = await ca.issueClient({ kind: 'control', name: 'front-door' });
const calls: string[] = [];
const authzSeen: AuthzRequest[] = [];
const server = createWebhookServer({
  tls: { cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem, requireClientCert: true },
  handler: createAuthWebhookHandler({
    onPassword: (req) => {
      calls.push(`password ${req.username} from ${req.remoteAddress}`);
      if (req.password !== 's3cret-pass') return false;
      return {
        success: true,
        authenticatedUsername: `${req.username}@corp`,
        metadata: { groups: { value: 'dev', sensitive: true }, team: { value: 'payments', sensitive: false }, apiKey: { value: 'sk-live-xyz', sensitive: true } },
      };
    },
    onToken: (req) => {
      calls.push('token');
      return req.token === 'opaque-token-123' ? { success: true, authenticatedUsername: 'robot', metadata: { groups: { value: 'ci', sensitive: false } } } : { success: false };
    },
    onAuthz: (req) => {
      authzSeen.push(req);
      const route = req.metadata?.['route']?.value;
      if (route === 'a1/kubernetes/prod' && req.authenticatedUsername !== 'alice@corp') return false;
      if (route !== 'a1/kubernetes/prod') return true;
      return { success: true, metadata: { groups: { value: 'system:masters,bad/group', sensitive: false } } };
    },
  }),
});
const url = await server.listen();
const { log, lines } = capturedLog();

function clientWith(t: Test, options: Partial<AuthWebhookClientOptions> = {}) {
  const client = new AuthWebhookClient({ url, ca: ca.certPem, cert: clientCert.certPem, key: clientCert.keyPem, log, deadlineMs: 2000, ...options });
  t.teardown(() => client.close());
  return client;
}
t.teardown(() => server.close());

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
function request(authorization?: string, extra: Record<string, unknown> = {}): FrontDoorRequest {
  return { method: 'GET', url: '/api/v1/pods?token=x', headers: authorization ? { authorization, 'user-agent': 'kubectl/v1.31' } : { 'user-agent': 'kubectl/v1.31' }, peerCertificate: undefined, remoteAddress: '', remotePort: 0, ...extra };
}
const ferryJwt = new UnsecuredJWT({ purpose: 'service', agent: 'a1', type: 'http', name: 'web' }).setSubject('svc').encode();

void t.test('Basic credentials go to /password; the caller carries the verified name and groups', async (t) => {
  const auth = new WebhookAuthenticator(clientWith(t), { log });
  const caller = await auth.authenticate(request(basic('alice', 's3cret-pass'), { remoteAddress: '203.0.113.9', remotePort: 40123 }));
  t.ok(caller);
  t.equal(caller!.subject, 'alice@corp');
  t.same(caller!.groups, ['dev'], 'a sensitive groups entry is applied');
  t.equal(caller!.method, 'webhook');
  t.equal(calls.at(-1), 'password alice from 203.0.113.9:40123');
  await t.rejects(auth.authenticate(request(basic('alice', 'wrong'))), { code: 'FERRY_ERR_UNAUTHENTICATED', message: 'the auth webhook refused the password of "alice"' });
});

void t.test('a Bearer token that is not ferry\'s goes to /token; ferry tokens are left alone', async (t) => {
  const auth = new WebhookAuthenticator(clientWith(t));
  const caller = await auth.authenticate(request('Bearer opaque-token-123'));
  t.same({ subject: caller?.subject, groups: caller?.groups }, { subject: 'robot', groups: ['ci'] });
  await t.rejects(auth.authenticate(request('Bearer nope')), { code: 'FERRY_ERR_UNAUTHENTICATED' });
  const before = calls.length;
  t.equal(await auth.authenticate(request(`Bearer ${ferryJwt}`)), null, 'a ferry JWT is the token authenticator\'s');
  t.equal(await auth.authenticate(request(basic('x', ferryJwt))), null, 'also as a Basic password');
  t.equal(await auth.authenticate(request()), null, 'no credential');
  t.equal(await auth.authenticate(request('Negotiate abc')), null, 'another scheme');
  t.equal(calls.length, before, 'none of those called the webhook');
});

void t.test('a switched-off method is not asked: no opinion, no call', async (t) => {
  const auth = new WebhookAuthenticator(clientWith(t, { methods: { password: false, authz: false } }));
  const before = calls.length;
  t.equal(await auth.authenticate(request(basic('alice', 's3cret-pass'))), null);
  t.equal(calls.length, before);
  const authz = new WebhookAuthoriser(clientWith(t, { methods: { authz: false } }));
  const seen = authzSeen.length;
  t.equal(authz.authorise({ subject: 'alice', groups: [], method: 'token' }, { agent: 'a1', type: 'http', name: 'web' }, request()), null);
  t.equal(authzSeen.length, seen);
});

void t.test('/authz decides per route and may add impersonation groups; sensitive metadata is not sent on', async (t) => {
  const client = clientWith(t);
  const auth = new WebhookAuthenticator(client, { log });
  const authz = new WebhookAuthoriser(client, { log });
  const caller = (await auth.authenticate(request(basic('alice', 's3cret-pass'))))!;
  t.equal(await authz.authorise(caller, { agent: 'a1', type: 'kubernetes', name: 'prod' }, request()), true);
  t.same(caller.groups, ['dev', 'system:masters'], 'the answer\'s groups are added; an invalid name is dropped');
  const sent = authzSeen.at(-1)!;
  t.equal(sent.username, 'alice@corp');
  t.equal(sent.clientVersion, 'kubectl/v1.31');
  t.same(Object.fromEntries(Object.entries(sent.metadata ?? {}).map(([k, v]) => [k, v.value])), {
    team: 'payments',
    route: 'a1/kubernetes/prod',
    'route.agent': 'a1',
    'route.type': 'kubernetes',
    'route.name': 'prod',
    'http.method': 'GET',
    'http.path': '/api/v1/pods',
    authMethod: 'webhook',
  }, 'the route is named; sensitive entries (groups, apiKey) and the query are not sent');
  const robot: Caller = { subject: 'robot', groups: ['ci'], method: 'webhook' };
  await t.rejects(authz.authorise(robot, { agent: 'a1', type: 'kubernetes', name: 'prod' }, request()) as Promise<unknown>, {
    code: 'FERRY_ERR_FORBIDDEN',
    message: 'the auth webhook refused "robot" the route a1/kubernetes/prod',
  });
  t.equal(await authz.authorise(robot, { agent: 'a1', type: 'http', name: 'web' }, request()), true);
  t.same(authzSeen.at(-1)?.metadata?.['groups'], { value: 'ci', sensitive: false }, 'a caller\'s own groups are told');
});

void t.test('no password, token or sensitive value in any log line', (t) => {
  t.ok(lines.length > 0);
  for (const line of lines) t.notOk(/s3cret-pass|opaque-token-123|sk-live-xyz/.test(line), 'no secret');
  t.end();
});

void t.test("the client's address reaches the webhook as ip:port, IPv6 in brackets", (t) => {
  t.equal(defaultRemoteAddressOf(request(undefined, { remoteAddress: '203.0.113.9', remotePort: 40123 })), '203.0.113.9:40123');
  t.equal(defaultRemoteAddressOf(request(undefined, { remoteAddress: '::1', remotePort: 5 })), '[::1]:5');
  t.equal(defaultRemoteAddressOf(request()), '0.0.0.0:0', 'a socket already gone');
  t.end();
});
