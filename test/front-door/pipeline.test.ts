// The front door as a pipeline, through a real controller (in process), a real agent and
// real HTTPS (HTTP/1.1 and h2): local handlers mounted by path with and without a caller,
// a module's authenticator, route resolver and policy, and today's credential routes.
import t from 'tap';
import { request } from 'undici';
import { FerryError } from '../../src/errors.js';
import type { Authenticator, Authoriser, LocalHandler, RouteResolver } from '../../src/controller/front-door/index.js';
import { startUpstream } from '../fixtures/upstream.js';
import { frontDoorClient } from '../../testkit/client.js';
import { startFrontDoorEnv } from './front-door-env.js';

// A tiny status page: no caller needed. It says which HTTP version it was reached over.
const status: LocalHandler = {
  path: '/status',
  needsCaller: false,
  handle(req, res) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, url: req.url, httpVersion: req.httpVersion }));
  },
};
// Who am I: only for an authenticated caller.
const whoami: LocalHandler = {
  path: '/whoami',
  needsCaller: true,
  handle(_req, res, caller) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ subject: caller?.subject, method: caller?.method, groups: caller?.groups, route: caller?.route ?? null }));
  },
};
// A stand-in for OIDC: a person, with groups, and no route in the credential.
const headerUser: Authenticator = {
  name: 'test-header',
  authenticate(req) {
    const user = req.headers['x-test-user'];
    if (typeof user !== 'string') return Promise.resolve(null);
    if (user === 'mallory') return Promise.reject(new FerryError('FERRY_ERR_UNAUTHENTICATED', 'test user refused'));
    const groups = String(req.headers['x-test-groups'] ?? '').split(',').filter((g) => g !== '');
    return Promise.resolve({ subject: user, groups, method: 'test-header', claims: { user } });
  },
};
// A route from the URL: /via/<agent>/<type>/<name>/…
const viaPath: RouteResolver = {
  name: 'via-path',
  resolve(req) {
    const m = /^\/via\/([^/]+)\/([^/]+)\/([^/?]+)/.exec(req.url);
    return m ? { agent: m[1]!, type: m[2]!, name: m[3]! } : null;
  },
};
// A group allow list.
const opsOnly: Authoriser = { name: 'ops-only', authorise: (caller) => (caller.groups.includes('ops') ? true : null) };

const upstream = await startUpstream();
const env = await startFrontDoorEnv({ authenticators: [headerUser], routes: [viaPath], authorisers: [opsOnly], handlers: [status, whoami] });
await env.startAgent('a1', [
  { type: 'x-echo', name: 'demo', url: upstream.url },
  { type: 'x-echo', name: 'other', url: upstream.url },
]);
const token = await env.serviceToken('a1', 'x-echo', 'demo');
const svc = await env.clientCert({ kind: 'service', agent: 'a1', type: 'x-echo', name: 'demo' }, 'svc');
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

for (const h2 of [false, true]) {
  const proto = h2 ? 'h2' : 'HTTP/1.1';
  const client = frontDoorClient(env.ca.certPem, { h2 });
  const certClient = frontDoorClient(env.ca.certPem, { ...svc, h2 });
  t.teardown(async () => {
    await client.close();
    await certClient.close();
  });
  const get = async (path: string, headers: Record<string, string> = {}, dispatcher = client) => {
    const res = await request(`${env.frontDoorUrl}${path}`, { dispatcher, headers });
    return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as Record<string, unknown> };
  };

  void t.test(`${proto}: a local handler that needs no caller answers without credentials`, async (t) => {
    const res = await get('/status?x=1');
    t.equal(res.status, 200);
    t.same(res.json, { ok: true, url: '/status?x=1', httpVersion: h2 ? '2.0' : '1.1' });
    t.equal((await get('/status/deeper')).status, 200, 'a path under the prefix is served too');
    // A credential is not even read: a bad token does not stop the status page.
    t.equal((await get('/status', { authorization: 'Bearer not-a-jwt' })).status, 200);
  });

  void t.test(`${proto}: a path that only starts like a mounted one goes through the pipeline`, async (t) => {
    const res = await get('/statusx');
    t.equal(res.status, 401);
    t.match(res.json, { error: { code: 'FERRY_ERR_UNAUTHENTICATED' } });
  });

  void t.test(`${proto}: a local handler that needs a caller refuses strangers and sees who called`, async (t) => {
    const none = await get('/whoami');
    t.equal(none.status, 401);
    t.match(none.json, { error: { code: 'FERRY_ERR_UNAUTHENTICATED', message: /no credentials/ } });
    t.match(none.headers['www-authenticate'], /^Bearer realm=/);
    const bad = await get('/whoami', { authorization: 'Bearer not-a-jwt' });
    t.equal(bad.status, 401);
    t.match(bad.json, { error: { message: 'malformed token' } });
    t.equal((await get('/whoami', { 'x-test-user': 'mallory' })).status, 401, "a module authenticator's refusal is a 401");

    t.same((await get('/whoami', { authorization: `Bearer ${token}` })).json, {
      subject: 'demo.a1',
      method: 'token',
      groups: [],
      route: { agent: 'a1', type: 'x-echo', name: 'demo' },
    });
    t.match((await get('/whoami', {}, certClient)).json, { method: 'certificate', route: { agent: 'a1', type: 'x-echo', name: 'demo' } });
    t.same((await get('/whoami', { 'x-test-user': 'alice', 'x-test-groups': 'ops,dev' })).json, {
      subject: 'alice',
      method: 'test-header',
      groups: ['ops', 'dev'],
      route: null,
    });
  });

  void t.test(`${proto}: routes from the credential work as before`, async (t) => {
    const byToken = await get('/hello?q=1', { authorization: `Bearer ${token}` });
    t.equal(byToken.status, 200);
    t.equal(byToken.json.url, '/hello?q=1');
    t.equal((await get('/hello', {}, certClient)).status, 200);
  });

  void t.test(`${proto}: a module's route resolver and group policy`, async (t) => {
    const ops = await get('/via/a1/x-echo/other/x', { 'x-test-user': 'alice', 'x-test-groups': 'ops' });
    t.equal(ops.status, 200, 'a caller with no route in the credential reaches a route from the URL');
    t.equal(ops.json.url, '/via/a1/x-echo/other/x');

    const dev = await get('/via/a1/x-echo/other/x', { 'x-test-user': 'bob', 'x-test-groups': 'dev' });
    t.equal(dev.status, 403, 'no policy allows bob');
    t.match(dev.json, { error: { code: 'FERRY_ERR_FORBIDDEN', message: /bob may not use a1\/x-echo\/other: no policy allows it/ } });

    const bound = await get('/via/a1/x-echo/other/x', { authorization: `Bearer ${token}` });
    t.equal(bound.status, 403, 'a token bound to one route opens no other');
    t.match(bound.json, { error: { code: 'FERRY_ERR_FORBIDDEN', message: /bound to another route/ } });

    const unrouted = await get('/hello', { 'x-test-user': 'alice', 'x-test-groups': 'ops' });
    t.equal(unrouted.status, 404, 'a person with no route named anywhere');
    t.match(unrouted.json, { error: { code: 'FERRY_ERR_NOT_FOUND' } });
  });
}
