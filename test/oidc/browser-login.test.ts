// Browser login end to end: authorization code + PKCE against a real oidc-provider whose
// accounts are a real slapd, driven by playwright-core in Debian's Chromium. Then the exec
// plugin under real kubectl: five parallel runs on an empty cache make one login, a second
// call makes no IdP request, an expiring token is refreshed silently; `ferry user login` for
// an IdP target (providers.oidc) writes a kubeconfig that kubectl then uses without a login.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { request } from 'undici';
import { stringify } from 'yaml';
import { HEAP_FLAG } from '../../src/cli/heap-flag.js';
import { ldapConfigSchema } from '../../src/config/ldap-config.js';
import { oidcConfigSchema } from '../../src/config/oidc-config.js';
import { loginWithBrowser, type OidcClientSettings } from '../../src/oidc/client/oidc-login.js';
import { IssuerVerifier } from '../../src/oidc/issuer-verifier.js';
import { LdapPasswordChecker } from '../../src/passwords/ldap.js';
import { freePort } from '../../testkit/net.js';
import { startIdp } from '../../testkit/oidc-idp.js';
import { FERRY, ROOT } from '../../testkit/processes.js';
import { startSlapd } from '../../testkit/slapd.js';
import { AGENT, KUBE_TOKEN, startKubectlEnv } from '../kubectl/kubectl-env.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
process.env['FERRY_TEST_LDAP_PW'] = slapd.servicePassword;
const checker = new LdapPasswordChecker(ldapConfigSchema.parse({ url: slapd.url, userBase: slapd.peopleBase, bindDn: slapd.serviceDn, bindPassword: { env: 'FERRY_TEST_LDAP_PW' } }));
const idp = await startIdp({ checker });
t.teardown(() => idp.close());

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
t.teardown(() => browser.close());

/** A person logging in at the IdP's form. */
async function person(url: string, user: string, password: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.fill('#username', user);
    await page.fill('#password', password);
    await page.click('#submit');
    await page.waitForURL(/127\.0\.0\.1:\d+\/callback/);
    return (await page.textContent('body')) ?? '';
  } finally {
    await page.close();
  }
}

const quiet = () => undefined;
const settings = (extra: Partial<OidcClientSettings> = {}): OidcClientSettings => ({ issuer: idp.issuer, clientId: idp.clientId, say: quiet, listenPorts: [0], timeoutMs: 20_000, ...extra });

void t.test('authorization code + PKCE in Chromium: an ID token with the LDAP groups, and a refresh token', async (t) => {
  const urls: URL[] = [];
  let page = '';
  const tokens = await loginWithBrowser(
    settings({
      openBrowser: async (url) => {
        urls.push(new URL(url));
        page = await person(url, 'alice', 'alice-pw-1');
      },
    }),
  );
  t.match(page, /Logged in/);
  t.equal(tokens.username, 'alice@ferry.test');
  t.ok(tokens.refreshToken, 'a refresh token');
  const q = urls[0]!.searchParams;
  t.equal(q.get('code_challenge_method'), 'S256');
  t.match(q.get('redirect_uri'), /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  const [cfg] = oidcConfigSchema.parse({ issuers: [{ issuer: idp.issuer, clientId: idp.clientId, allowPlainHttp: true, usernameClaim: 'email' }] }).issuers;
  const verifier = new IssuerVerifier(cfg!);
  t.teardown(() => verifier.close());
  const id = await verifier.verify(tokens.idToken);
  t.equal(id.subject, 'alice@ferry.test');
  t.same(id.groups, ['devs', 'ops']);

  // A second login: state and nonce are fresh each time.
  await loginWithBrowser(
    settings({
      openBrowser: async (url) => {
        urls.push(new URL(url));
        await person(url, 'bob', 'bob-pw-2');
      },
    }),
  );
  const [a, b] = [urls[0]!.searchParams, urls[1]!.searchParams];
  t.not(a.get('state'), b.get('state'));
  t.not(a.get('nonce'), b.get('nonce'));
  t.not(a.get('code_challenge'), b.get('code_challenge'));
  t.ok((a.get('state') ?? '').length >= 32, 'state has entropy');
});

void t.test('a wrong password stays at the IdP form', async (t) => {
  const page = await browser.newPage();
  let loginUrl = '';
  const login = loginWithBrowser(settings({ timeoutMs: 3000, openBrowser: (url) => void (loginUrl = url) }));
  while (!loginUrl) await new Promise((r) => setTimeout(r, 10));
  await page.goto(loginUrl);
  await page.fill('#username', 'alice');
  await page.fill('#password', 'wrong');
  await page.click('#submit');
  t.match(await page.textContent('#error'), /Invalid username or password/);
  await page.close();
  await t.rejects(login, { message: /login timed out/ });
});

void t.test('a callback with a tampered state is refused', async (t) => {
  const login = loginWithBrowser(
    settings({
      openBrowser: async (url) => {
        const redirect = new URL(url).searchParams.get('redirect_uri')!;
        const res = await request(`${redirect}?code=stolen-code&state=attacker-state`);
        t.equal(res.statusCode, 400, 'the callback answers 400');
        await res.body.text();
      },
    }),
  );
  await t.rejects(login, { code: 'FERRY_ERR_UNAUTHENTICATED', message: /state mismatch/ });
});

void t.test('a busy first callback port falls back to the next', async (t) => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => busy.close(() => r())));
  const taken = (busy.address() as { port: number }).port;
  const next = await freePort();
  let redirect = '';
  await loginWithBrowser(
    settings({
      listenPorts: [taken, next],
      openBrowser: async (url) => {
        redirect = new URL(url).searchParams.get('redirect_uri')!;
        await person(url, 'bob', 'bob-pw-2');
      },
    }),
  );
  t.equal(redirect, `http://127.0.0.1:${next}/callback`);
});

void t.test('kubectl + exec plugin: five parallel runs make one login; then cache; then a silent refresh', async (t) => {
  const env = await startKubectlEnv(t, {
    impersonate: true,
    controller: {
      oidc: {
        issuers: [{ issuer: idp.issuer, clientId: idp.clientId, allowPlainHttp: true, usernameClaim: 'email' }],
        access: [{ groups: ['devs'], agents: [AGENT] }],
      },
    },
  });
  const cacheDir = join(env.dir, 'token-cache');
  await mkdir(cacheDir);
  const ports = [await freePort(), await freePort()].join(',');
  const browserCommand = join(env.dir, 'browser.sh');
  await writeFile(browserCommand, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'testkit', 'browser-login.js')}" "$@"\n`, { mode: 0o755 });
  const kubeconfigFor = async (name: string, skew: string) => {
    const file = join(env.dir, `kubeconfig-${name}`);
    const args = ['kubectl-credential', '--oidc-issuer-url', idp.issuer, '--oidc-client-id', idp.clientId, '--listen-port', ports, '--token-cache-dir', cacheDir, '--skew', skew, '--browser-command', browserCommand];
    await writeFile(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'k1', cluster: { server: `${env.ferry.frontDoorUrl}/agents/${AGENT}/kubernetes/default`, 'certificate-authority-data': Buffer.from(env.ferry.ca.certPem).toString('base64') } }],
        users: [{ name: 'me', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [HEAP_FLAG, FERRY, ...args], interactiveMode: 'IfAvailable', provideClusterInfo: false } } }],
        contexts: [{ name: 'k1', context: { cluster: 'k1', user: 'me', namespace: 'default' } }],
        'current-context': 'k1',
      }),
    );
    return file;
  };
  const run = (kubeconfig: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('kubectl', ['get', 'pods'], {
        env: { PATH: process.env['PATH'], HOME: join(env.dir, 'home'), KUBECONFIG: kubeconfig, FERRY_TEST_LOGIN_USER: 'alice', FERRY_TEST_LOGIN_PASSWORD: 'alice-pw-1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const normal = await kubeconfigFor('normal', '60s');
  // One login is one authorization request (the /auth/<uid> resumes after the form are its own steps).
  const logins = () => idp.requests.filter((r) => r.path === '/auth').length;
  const auths = logins();
  const n = env.kube.requests.length;
  const started = Date.now();
  const runs = await Promise.all([1, 2, 3, 4, 5].map(() => run(normal)));
  t.comment(`five parallel kubectl runs on an empty cache: ${Date.now() - started} ms`);
  for (const r of runs) {
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /web\s+1\/1/);
  }
  t.equal(logins() - auths, 1, 'one login for five kubectl runs');
  for (const x of env.kube.requests.slice(n).filter((r) => r.path.startsWith('/api'))) {
    t.equal(x.headers['impersonate-user'], 'alice@ferry.test');
    t.equal(x.headers.authorization, `Bearer ${KUBE_TOKEN}`);
  }

  const before = idp.requests.length;
  const again = await run(normal);
  t.equal(again.code, 0, again.stderr);
  t.equal(idp.requests.length, before, 'a second call within the token life makes no IdP request');

  // A token "expiring" within the skew (the IdP's ID tokens live 300 s) is refreshed, no login.
  const tokenCalls = idp.count('/token');
  const authCalls = logins();
  const refreshed = await run(await kubeconfigFor('refresh', '400s'));
  t.equal(refreshed.code, 0, refreshed.stderr);
  t.equal(idp.count('/token') - tokenCalls, 1, 'one refresh grant');
  t.equal(logins(), authCalls, 'no new login');

  // A refresh answer without an ID token (kubelogin #536): log in again instead of failing.
  idp.dropIdTokenNext = 1;
  const fallback = await run(await kubeconfigFor('refresh', '400s'));
  t.equal(fallback.code, 0, fallback.stderr);
  t.match(fallback.stderr, /refresh gave no ID token; logging in again/);
  t.equal(logins(), authCalls + 1, 'one new login');

  // `ferry user login` for a target whose people log in at the IdP (providers.oidc).
  const clientConfig = join(env.dir, 'client.yaml');
  const userKubeconfig = join(env.dir, 'kubeconfig-user');
  await writeFile(
    clientConfig,
    stringify({
      apiVersion: 'v2',
      kubeconfig: userKubeconfig,
      providers: {
        oidc: [
          {
            'issuer-url': idp.issuer,
            'client-id': idp.clientId,
            'listen-ports': ports.split(',').map(Number),
            'certificate-authority': env.ferry.caFile,
            targets: { staging: { server: `${env.ferry.frontDoorUrl}/agents/${AGENT}/kubernetes/default`, aliases: ['stg'] } },
          },
        ],
      },
    }),
  );
  const loginEnv = { PATH: process.env['PATH'], HOME: join(env.dir, 'home'), FERRY_TOKEN_CACHE_DIR: join(env.dir, 'cache-2'), FERRY_TEST_LOGIN_USER: 'alice', FERRY_TEST_LOGIN_PASSWORD: 'alice-pw-1' };
  const login = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [HEAP_FLAG, FERRY, 'user', 'login', '--config', clientConfig, '--browser-command', browserCommand], { env: loginEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  t.equal(login.code, 0, login.stderr);
  t.equal(login.stdout, 'Logged in to staging | stg\n');
  const afterLogin = logins();
  const viaUser = await run(userKubeconfig);
  t.equal(viaUser.code, 0, viaUser.stderr);
  t.match(viaUser.stdout, /web\s+1\/1/);
  t.equal(logins(), afterLogin, 'kubectl uses the token user login cached');
});
