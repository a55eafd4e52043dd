// Small holes in request handling (issue 17): a request line without a version (HTTP/0.9)
// is refused with 400 and never proxied; every X-Ferry-* header a client sends is removed
// before the upstream, not only the token.
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { exchange, openTls } from '../../testkit/raw-tls.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
await env.startAgent('a1', [{ type: 'x-echo', name: 'demo', url: upstream.url }]);
const token = await env.token('a1', 'x-echo', 'demo');
const client = frontDoorClient(env.ca.certPem);
t.teardown(async () => {
  await client.close();
  await env.close();
  await upstream.close();
});

void t.test('a request line without a version is refused with 400', async (t) => {
  const before = upstream.requests.length;
  for (const line of ['GET /hello', 'GET /hello?x=1']) {
    const s = await openTls(env.ports.frontDoor);
    const res = await exchange(s, `${line}\r\n\r\n`);
    t.equal(res.status, 400, `${line}: 400`);
    t.match(res.body, /"code":"FERRY_ERR_BAD_INPUT".*HTTP\/0\.9 request lines are not accepted/);
    s.destroy();
  }
  t.equal(upstream.requests.length, before, 'nothing reached the upstream');
});

void t.test('every X-Ferry-* header is stripped before the upstream', async (t) => {
  const res = await request(`${env.frontDoorUrl}/headers`, {
    dispatcher: client,
    headers: { 'x-ferry-token': token, 'X-Ferry-Caller': 'admin', 'x-ferry-groups': 'system:masters', 'X-FERRY-DEBUG': '1', 'x-ferryman': 'kept', 'x-other': 'kept' },
  });
  t.equal(res.statusCode, 200);
  await res.body.dump();
  const seen = upstream.requests.at(-1)!.headers;
  t.same(Object.keys(seen).filter((h) => h.startsWith('x-ferry')), ['x-ferryman'], 'no x-ferry-* header arrived');
  t.equal(seen['x-other'], 'kept');
});
