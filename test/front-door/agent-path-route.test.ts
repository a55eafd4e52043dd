// /agents/<agent>/<type>/<name>/<path>: where a person's request goes when their
// credential names no route, and what path the upstream sees.
import t from 'tap';
import { agentPathRoute } from '../../src/controller/front-door/routing.js';
import type { Caller, FrontDoorRequest } from '../../src/controller/front-door/types.js';

const person: Caller = { subject: 'alice', groups: [], method: 'webhook' };
const req = (url: string): FrontDoorRequest => ({ method: 'GET', url, headers: {}, peerCertificate: undefined, remoteAddress: '127.0.0.1', remotePort: 1 });
const resolve = (url: string, caller: Caller = person) => agentPathRoute.resolve(req(url), caller);

void t.test('the prefix names the route and is taken off the path', (t) => {
  t.same(resolve('/agents/prod-eu/kubernetes/local/api/v1/pods?watch=1'), { agent: 'prod-eu', type: 'kubernetes', name: 'local', path: '/api/v1/pods?watch=1' });
  t.same(resolve('/agents/prod-eu/x-grafana/dash'), { agent: 'prod-eu', type: 'x-grafana', name: 'dash', path: '/' });
  t.same(resolve('/agents/prod-eu/x-grafana/dash/'), { agent: 'prod-eu', type: 'x-grafana', name: 'dash', path: '/' });
  t.same(resolve('/agents/prod-eu/x-grafana/dash?orgId=1'), { agent: 'prod-eu', type: 'x-grafana', name: 'dash', path: '/?orgId=1' });
  t.end();
});

void t.test('anything else is no route of this kind', (t) => {
  for (const url of ['/api/v1/pods', '/agents/', '/agents/prod-eu', '/agents/prod-eu/kubernetes', '/agents/Prod/kubernetes/local/', '/agents/prod-eu/kubernetes/lo%2Fcal/x', '/agents//kubernetes/local/x', '/agentsx/a/b/c']) {
    t.equal(resolve(url), null, url);
  }
  t.end();
});

void t.test('never for a credential bound to a route (its own paths may begin with /agents/)', (t) => {
  const bound: Caller = { ...person, route: { agent: 'a', type: 'jenkins', name: 'ci' } };
  t.equal(resolve('/agents/prod-eu/kubernetes/local/api', bound), null);
  t.end();
});
