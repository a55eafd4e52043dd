// Control API routes mounted by a module (ControllerOptions.controlRoutes), beside the
// built-in table: the same auth kinds, 404 before auth, 405 with Allow after it.
import t from 'tap';
import { Agent, request } from 'undici';
import { CONTROL_PATHS, defaultControlRoutes, type ControlRouteMount } from '../../src/controller/control-api/index.js';
import { startFrontDoorEnv } from '../front-door/front-door-env.js';

const routes: ControlRouteMount[] = [
  { path: '/api/v1/hello', method: 'GET', auth: 'public', handle: () => ({ hello: 'world' }) },
  { path: '/api/v1/echo', method: 'POST', auth: 'control', handle: (_ctx, body, caller) => ({ body, caller: caller.name }) },
  { path: '/api/v1/mixed', method: 'GET', auth: 'public', handle: () => ({ open: true }) },
  { path: '/api/v1/mixed', method: 'PUT', auth: 'control', handle: (_ctx, body) => ({ stored: body }) },
];
const env = await startFrontDoorEnv({ controlRoutes: routes });
const client = new Agent({ connect: { ca: env.ca.certPem, servername: 'localhost' } });
t.teardown(async () => {
  await client.close();
  await env.close();
});
const control = await env.controlToken();
const service = await env.serviceToken('a1', 'x-echo', 'demo');

async function call(method: 'GET' | 'POST' | 'PUT', path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${env.controlUrl}${path}`, { method, dispatcher: client, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as Record<string, unknown> };
}

void t.test('a public mounted route answers anyone; the built-in table is still there', async (t) => {
  t.same((await call('GET', '/api/v1/hello')).json, { hello: 'world' });
  t.equal((await call('GET', CONTROL_PATHS.jwks)).status, 200);
});

void t.test('a control mounted route: 401 without credentials, 403 for a service token, 200 for a control token', async (t) => {
  const none = await call('POST', '/api/v1/echo', undefined, { a: 1 });
  t.equal(none.status, 401);
  t.match(none.headers['www-authenticate'], /realm="ferry-control"/);
  t.equal((await call('POST', '/api/v1/echo', service, { a: 1 })).status, 403);
  t.same((await call('POST', '/api/v1/echo', control, { a: 1 })).json, { body: { a: 1 }, caller: 'operator' });
});

void t.test('unknown path: 404 before auth; wrong method: 405 with Allow, after auth', async (t) => {
  const unknown = await call('GET', '/api/v1/nope');
  t.equal(unknown.status, 404);
  t.match(unknown.json, { error: { code: 'FERRY_ERR_NOT_FOUND' } });
  t.equal((await call('GET', '/api/v1/echo')).status, 401, 'a stranger learns nothing about methods');
  const wrong = await call('GET', '/api/v1/echo', control);
  t.equal(wrong.status, 405);
  t.equal(wrong.headers.allow, 'POST');
  t.match(wrong.json, { error: { code: 'FERRY_ERR_METHOD' } });
});

void t.test('one path, two auth kinds: each method keeps its own', async (t) => {
  t.same((await call('GET', '/api/v1/mixed')).json, { open: true });
  t.equal((await call('PUT', '/api/v1/mixed', undefined, { x: 1 })).status, 401);
  t.same((await call('PUT', '/api/v1/mixed', control, { x: 1 })).json, { stored: { x: 1 } });
});

void t.test('mounting a method that is taken is refused', (t) => {
  const table = defaultControlRoutes();
  t.throws(() => table.mount(CONTROL_PATHS.jwks, { method: 'GET', auth: 'public', handle: () => ({}) }), { code: 'FERRY_ERR_EXISTS' });
  t.throws(() => table.mount('api', { method: 'GET', auth: 'public', handle: () => ({}) }), { code: 'FERRY_ERR_BAD_CONFIG' });
  table.mount(CONTROL_PATHS.jwks, { method: 'DELETE', auth: 'control', handle: () => ({}) });
  t.same(table.get(CONTROL_PATHS.jwks)?.map((r) => r.method), ['GET', 'DELETE']);
  t.end();
});
