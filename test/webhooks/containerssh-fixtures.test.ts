// The JSON ferry's webhook clients send and accept matches ContainerSSH's published
// webhook documents (fixtures/): same field names and JSON types, ip:port, base64.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { AuthWebhookClient, authzRequestSchema, ConfigWebhookClient, configRequestSchema, passwordRequestSchema, WebhookMetadata } from '../../src/webhooks/index.js';
import { capturedLog, json, scriptedServer } from './webhook-kit.js';

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as Record<string, unknown>;
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function sameShape(t: Test, sent: Record<string, unknown>, documented: Record<string, unknown>, what: string): void {
  for (const [k, v] of Object.entries(documented)) {
    t.ok(Object.hasOwn(sent, k), `${what}: sends "${k}"`);
    t.equal(typeOf(sent[k]), typeOf(v), `${what}: "${k}" is a ${typeOf(v)}`);
  }
  const extra = Object.keys(sent).filter((k) => !Object.hasOwn(documented, k) && !['metadata', 'environment', 'files'].includes(k));
  t.same(extra, [], `${what}: no field ContainerSSH does not document`);
}

const answer = fixture('auth-answer.json');
const server = await scriptedServer((r, res) => json(res, 200, r.path === '/config' ? { config: {} } : answer));
t.teardown(() => server.close());

void t.test('/password: the request matches the document; the documented answer is accepted without warnings', async (t) => {
  const { log, lines } = capturedLog();
  const client = new AuthWebhookClient({ url: server.url, allowPlainHttp: true, log, cacheTtlMs: 0 });
  t.teardown(() => client.close());
  const outcome = await client.password('alice', 'pässword:with colon', { remoteAddress: '192.0.2.7:51734', clientVersion: 'curl/8.5.0', connectionId: 'c0ffee' });
  const sent = server.received.at(-1)!;
  t.equal(sent.path, '/password');
  sameShape(t, sent.body, fixture('password-request.json'), '/password');
  t.match(sent.body['remoteAddress'], /^\d+\.\d+\.\d+\.\d+:\d+$/);
  t.equal(Buffer.from(sent.body['passwordBase64'] as string, 'base64').toString('utf8'), 'pässword:with colon', 'passwordBase64 is the password, base64');
  t.ok(passwordRequestSchema.safeParse(sent.body).success, 'the server helper accepts what the client sends');
  t.ok(passwordRequestSchema.safeParse(fixture('password-request.json')).success, 'and the documented request');
  t.equal(outcome.success, true);
  t.equal(outcome.authenticatedUsername, 'username that was verified');
  t.equal(outcome.metadata.get('metadata_name'), 'metadata_value');
  t.equal(outcome.metadata.get('secret_name'), 'secret_value', 'sensitive metadata is applied');
  t.notOk(lines.some((l) => l.includes('unknown field')), 'the documented answer has no unknown field');
});

void t.test('/authz: the request matches the document; sensitive metadata is not re-sent', async (t) => {
  const client = new AuthWebhookClient({ url: server.url, allowPlainHttp: true, cacheTtlMs: 0 });
  t.teardown(() => client.close());
  const first = await client.password('alice', 'pw', { remoteAddress: '127.0.0.1:1234' });
  await client.authz('alice', first.authenticatedUsername, { remoteAddress: '127.0.0.1:1234', metadata: first.metadata, clientVersion: 'kubectl/v1.31' });
  const sent = server.received.at(-1)!;
  t.equal(sent.path, '/authz');
  sameShape(t, sent.body, fixture('authz-request.json'), '/authz');
  t.ok(authzRequestSchema.safeParse(sent.body).success);
  t.ok(authzRequestSchema.safeParse(fixture('authz-request.json')).success);
  t.same(sent.body['metadata'], { metadata_name: { value: 'metadata_value', sensitive: false } }, 'only the non-sensitive entry is sent on');
  t.notMatch(JSON.stringify(sent.body), /secret_value/);
});

void t.test('config webhook: the request matches the document', async (t) => {
  const client = new ConfigWebhookClient({ url: `${server.url}/config`, allowPlainHttp: true, cacheTtlMs: 0 });
  t.teardown(() => client.close());
  t.same(await client.get('alice', 'alice', { remoteAddress: '127.0.0.1:1234', metadata: new WebhookMetadata({ team: { value: 'ops', sensitive: false } }) }), {});
  const sent = server.received.at(-1)!;
  t.equal(sent.path, '/config');
  sameShape(t, sent.body, fixture('config-request.json'), 'config');
  t.ok(configRequestSchema.safeParse(sent.body).success);
});
