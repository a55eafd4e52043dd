// Ordinary requests through a real controller and agent: headers cleaned, bodies both
// ways, trailers, status codes, h1 and h2, certificate and token callers.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
const svc = await env.serviceCert('a1', 'x-echo', 'demo');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

for (const h2 of [false, true]) {
  void t.test(`GET with a service certificate over ${h2 ? 'h2' : 'HTTP/1.1'}: client credentials never reach upstream`, async (t) => {
    const client = frontDoorClient(env.ca.certPem, { ...svc, h2 });
    t.teardown(() => client.close());
    const res = await request(`${env.frontDoorUrl}/hello?x=1`, {
      dispatcher: client,
      headers: {
        authorization: 'Bearer client-secret',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'impersonate-user': 'root',
        'impersonate-group': 'system:masters',
        'x-ferry-token': 'nope',
        'x-custom': 'kept',
      },
    });
    t.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { url: string; headers: Record<string, string> };
    t.equal(body.url, '/hello?x=1');
    t.equal(body.headers['x-custom'], 'kept');
    for (const h of ['authorization', 'proxy-authorization', 'impersonate-user', 'impersonate-group', 'x-ferry-token']) {
      t.notOk(body.headers[h], `${h} removed`);
    }
    t.equal(body.headers['x-forwarded-proto'], 'https');
    t.match(body.headers.via, /ferry-agent\/a1/);
  });
}

void t.test('a JWT as Bearer, X-Ferry-Token and Basic password all authenticate', async (t) => {
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const token = await env.token('a1', 'x-echo', 'demo');
  const variants: Record<string, string>[] = [
    { authorization: `Bearer ${token}` },
    { 'x-ferry-token': token },
    { authorization: `Basic ${Buffer.from(`demo.a1:${token}`).toString('base64')}` },
  ];
  for (const headers of variants) {
    const res = await request(`${env.frontDoorUrl}/t`, { dispatcher: client, headers });
    t.equal(res.statusCode, 200, Object.keys(headers).join(','));
    const body = (await res.body.json()) as { headers: Record<string, string> };
    t.notOk(body.headers.authorization, 'the ferry token is not forwarded');
  }
});

void t.test('request bodies, status codes and trailers pass through', async (t) => {
  const client = frontDoorClient(env.ca.certPem, svc);
  t.teardown(() => client.close());
  const post = await request(`${env.frontDoorUrl}/upload`, { dispatcher: client, method: 'POST', body: Buffer.alloc(300_000, 7) });
  t.same(await post.body.json(), { bytes: 300_000, sha256: (await import('node:crypto')).createHash('sha256').update(Buffer.alloc(300_000, 7)).digest('hex') });
  const teapot = await request(`${env.frontDoorUrl}/status?code=418`, { dispatcher: client });
  t.equal(teapot.statusCode, 418);
  await teapot.body.dump();
  const tr = await request(`${env.frontDoorUrl}/trailers`, { dispatcher: client });
  t.equal(await tr.body.text(), 'body');
  t.equal(tr.trailers['x-checksum'], 'abc123');
});

void t.test('many concurrent requests reuse pooled streams', async (t) => {
  const client = frontDoorClient(env.ca.certPem, svc);
  t.teardown(() => client.close());
  const results = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const res = await request(`${env.frontDoorUrl}/n/${i}`, { dispatcher: client });
      return ((await res.body.json()) as { url: string }).url;
    }),
  );
  t.same(results, Array.from({ length: 200 }, (_, i) => `/n/${i}`));
});
