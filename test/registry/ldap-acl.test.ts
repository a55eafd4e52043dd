// LDAP groups drive a registry ACL rule: a real slapd, the LDAP password backend in the
// registry's list; slapd down is a 503 for its users, never a 401.
import { decodeJwt } from 'jose';
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startSlapd } from '../../testkit/slapd.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
// The controller process inherits it: the bind password is never in the config file.
process.env.FERRY_TEST_LDAP_BIND = slapd.servicePassword;
const env = await startTunnelEnv({
  registry: {
    services: ['reg'],
    passwordCacheTtl: 0,
    authenticators: [{ kind: 'ldap', url: slapd.url, bindDn: slapd.serviceDn, bindPassword: { env: 'FERRY_TEST_LDAP_BIND' }, userBase: slapd.peopleBase }],
    acl: [
      { match: { labels: { group: 'ops' }, name: 'prod/*' }, actions: ['pull', 'push'] },
      { match: { account: '/.+/' }, actions: ['pull'] },
    ],
  },
});
t.teardown(() => env.close());
const dispatcher = frontDoorClient(env.ca.certPem);
const ask = async (user: string, pw: string) => {
  const res = await request(`${env.frontDoorUrl}/registry/auth?service=reg&scope=repository:prod/app:pull,push`, {
    dispatcher,
    headers: { authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` },
  });
  const body = (await res.body.json()) as { token?: string };
  return { status: res.statusCode, access: body.token ? decodeJwt(body.token).access : undefined };
};

void t.test('an LDAP group grants push; others pull', async (t) => {
  t.same(await ask('alice', 'alice-pw-1'), { status: 200, access: [{ type: 'repository', name: 'prod/app', actions: ['pull', 'push'] }] });
  t.same(await ask('bob', 'bob-pw-2'), { status: 200, access: [{ type: 'repository', name: 'prod/app', actions: ['pull'] }] });
  t.equal((await ask('alice', 'wrong')).status, 401);
});

void t.test('slapd down: 503, not 401', async (t) => {
  await slapd.stop();
  t.equal((await ask('alice', 'alice-pw-1')).status, 503);
  t.notOk(env.controller.raw.join('\n').includes('alice-pw-1'), 'no password in the logs');
});
