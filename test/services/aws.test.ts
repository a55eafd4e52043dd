// The aws type re-signs with the agent's keys: every request it sends verifies against an
// independent SigV4 verifier (itself checked against AWS's published example), for
// bodiless, buffered, streamed and pre-hashed (S3) requests; chunk-signed uploads and
// oversize unhashed bodies are refused; a missing key makes the service unavailable.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import t from 'tap';
import { request } from 'undici';
import { serviceConfigSchema } from '../../src/services/default-types.js';
import { buildService } from '../../src/services/registry.js';
import type { AgentService, UpstreamHeader } from '../../src/services/agent-service.js';
import { FerryError } from '../../src/errors.js';
import { startRecorder } from './recorder.js';
import { canonicalRequest, verifySigV4 } from './sigv4-verify.js';

const KEY_ID = 'AKIDFERRYTEST0001';
const SECRET = 'ferry/secret+key/NEVER-LOGGED-0123456789';

void t.test('the verifier reproduces the AWS documentation example (IAM ListUsers)', (t) => {
  const rawHeaders = [
    'Host', 'iam.amazonaws.com',
    'Content-Type', 'application/x-www-form-urlencoded; charset=utf-8',
    'X-Amz-Date', '20150830T123600Z',
    'Authorization', 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
  ];
  const req = { method: 'GET', url: '/?Action=ListUsers&Version=2010-05-08', rawHeaders, body: Buffer.alloc(0) };
  const { text } = canonicalRequest(req, ['content-type', 'host', 'x-amz-date'], 'iam');
  t.equal(createHash('sha256').update(text).digest('hex'), 'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59', 'canonical request hash as documented');
  const verdict = verifySigV4(req, (id) => (id === 'AKIDEXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' : undefined));
  t.ok(verdict.ok, verdict.why);
  const tampered = verifySigV4({ ...req, url: '/?Action=ListUsers&Version=2010-05-09' }, () => 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  t.notOk(tampered.ok, 'a changed query fails');
  t.end();
});

const dir = await mkdtemp(join(tmpdir(), 'ferry-aws-'));
const upstream = await startRecorder();
await writeFile(join(dir, 'secret'), `${SECRET}\n`);
t.teardown(async () => {
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

async function awsService(service: string, extra: Record<string, unknown> = {}): Promise<AgentService> {
  const cfg = serviceConfigSchema().parse({
    type: 'aws',
    name: service,
    url: upstream.url,
    aws: {
      region: 'eu-west-1',
      service,
      accessKeyId: { env: 'FERRY_TEST_AWS_KEY_ID' },
      secretAccessKey: { file: join(dir, 'secret') },
      ...extra,
    },
    health: { enabled: false },
  });
  return buildService(cfg, { env: { FERRY_TEST_AWS_KEY_ID: KEY_ID, FERRY_TEST_SESSION: 'session-tok' }, probes: false });
}

/** Sends what prepare() returns the way the request runner does. */
async function send(svc: AgentService, method: string, path: string, headers: UpstreamHeader[], body?: Buffer | Readable): Promise<number> {
  const p = await svc.prepare({ method, path, headers: [...headers], caller: { subject: 'alice', groups: [], method: 'token' }, upgrade: false });
  const flat = p.headers.flatMap((h) => [h.name, h.value]);
  const res = await request(p.url, { method, headers: flat, body, dispatcher: p.dispatcher });
  await res.body.dump();
  return res.statusCode;
}

const verify = () => verifySigV4(upstream.requests[upstream.requests.length - 1]!, (id) => (id === KEY_ID ? SECRET : undefined));

void t.test('requests of every shape verify with the agent key', async (t) => {
  const sts = await awsService('sts');
  const s3 = await awsService('s3');
  t.teardown(async () => {
    await sts.close();
    await s3.close();
  });
  const clientAuth: UpstreamHeader[] = [
    { name: 'x-amz-date', value: '20000101T000000Z' },
    { name: 'x-amz-security-token', value: 'client-session' },
    { name: 'x-amz-target', value: 'AWSSecurityTokenServiceV20110615.GetCallerIdentity' },
    { name: 'via', value: '1.1 ferry-agent/a1' },
  ];
  t.equal(await send(sts, 'GET', '/?Action=GetCallerIdentity&Version=2011-06-15', clientAuth), 200);
  let v = verify();
  t.ok(v.ok, `GET: ${v.why}`);
  t.same([v.accessKeyId, v.region, v.service], [KEY_ID, 'eu-west-1', 'sts']);
  const got = upstream.requests[upstream.requests.length - 1]!;
  t.not(got.headers.get('x-amz-date')?.[0], '20000101T000000Z', "the client's X-Amz-Date is replaced");
  t.notOk(got.headers.has('x-amz-security-token'), "the client's session token is gone");
  t.equal(got.headers.get('x-amz-target')?.[0], 'AWSSecurityTokenServiceV20110615.GetCallerIdentity', 'other x-amz headers are kept and signed');
  t.ok(v.signedHeaders?.includes('x-amz-target'));

  const form = Buffer.from('Action=GetCallerIdentity&Version=2011-06-15');
  t.equal(await send(sts, 'POST', '/', [{ name: 'content-type', value: 'application/x-www-form-urlencoded' }], form), 200);
  v = verify();
  t.ok(v.ok, `POST with a buffer body: ${v.why}`);

  const streamed = Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]);
  t.equal(await send(sts, 'POST', '/x', [{ name: 'content-type', value: 'application/json' }], streamed), 200);
  v = verify();
  t.ok(v.ok, `POST with a streamed body (read and hashed): ${v.why}`);
  t.equal(upstream.requests[upstream.requests.length - 1]!.body.toString(), '{"a":1}', 'the body arrives whole');

  const big = Buffer.alloc(300_000, 9);
  const hash = createHash('sha256').update(big).digest('hex');
  t.equal(await send(s3, 'PUT', '/bucket/key%20with%20space.bin', [{ name: 'x-amz-content-sha256', value: hash }], Readable.from([big])), 200);
  v = verify();
  t.ok(v.ok, `S3 PUT with the client's payload hash, streamed: ${v.why}`);
  t.equal(upstream.requests[upstream.requests.length - 1]!.body.length, big.length);
});

void t.test('a session token is sent and signed', async (t) => {
  const svc = await awsService('sts', { sessionToken: { env: 'FERRY_TEST_SESSION' } });
  t.teardown(() => svc.close());
  await send(svc, 'GET', '/', []);
  const v = verify();
  t.ok(v.ok, v.why);
  t.equal(upstream.requests[upstream.requests.length - 1]!.headers.get('x-amz-security-token')?.[0], 'session-tok');
  t.ok(v.signedHeaders?.includes('x-amz-security-token'));
});

void t.test('refused: chunk-signed uploads, oversize unhashed bodies, upgrades', async (t) => {
  const svc = await awsService('s3');
  t.teardown(() => svc.close());
  await t.rejects(
    send(svc, 'PUT', '/b/k', [{ name: 'x-amz-content-sha256', value: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }], Buffer.from('x')),
    { code: 'FERRY_ERR_BAD_INPUT', message: /cannot be re-signed/ },
  );
  const huge = Readable.from((function* () {
    for (let i = 0; i < 20; i++) yield Buffer.alloc(1024 * 1024);
  })());
  const before = upstream.requests.length;
  await t.rejects(send(svc, 'POST', '/b/k', [], huge), { code: 'FERRY_ERR_BAD_INPUT', message: /must carry X-Amz-Content-Sha256/ });
  t.equal(upstream.requests.length, before, 'nothing reached the upstream');
  await t.rejects(svc.prepare({ method: 'GET', path: '/', headers: [], caller: undefined, upgrade: true }), { code: 'FERRY_ERR_BAD_INPUT' });
});

void t.test('a missing key: unhealthy with the reason, 503, the key never in the message', async (t) => {
  const cfg = serviceConfigSchema().parse({
    type: 'aws',
    name: 'gone',
    url: upstream.url,
    aws: { region: 'eu-west-1', service: 'sts', accessKeyId: { env: 'NOPE_NOT_SET' }, secretAccessKey: { file: join(dir, 'secret') } },
  });
  const svc = await buildService(cfg, { env: {}, probes: false });
  t.teardown(() => svc.close());
  t.same(svc.health(), { healthy: false, reason: 'aws/gone accessKeyId: environment variable NOPE_NOT_SET is not set' });
  const err = await svc.prepare({ method: 'GET', path: '/', headers: [], caller: undefined, upgrade: false }).catch((e: unknown) => e);
  t.ok(err instanceof FerryError && err.code === 'FERRY_ERR_UNAVAILABLE');
  t.notMatch((err as Error).message, SECRET);
});
