// The device authorization grant (RFC 8628) end to end against oidc-provider + slapd, the
// person approving in Chromium: URL and code on stderr, authorization_pending while they type,
// slow_down (+5 s to the interval), Google's `verification_url`, access_denied, expired_token.
import t from 'tap';
import { chromium, type Page } from 'playwright-core';
import { ldapConfigSchema } from '../../src/config/ldap-config.js';
import { loginWithDeviceCode } from '../../src/oidc/client/device-login.js';
import type { OidcClientSettings } from '../../src/oidc/client/oidc-login.js';
import { LdapPasswordChecker } from '../../src/passwords/ldap.js';
import { startIdp } from '../../testkit/oidc-idp.js';
import { startSlapd } from '../../testkit/slapd.js';

const slapd = await startSlapd();
t.teardown(() => slapd.stop());
process.env['FERRY_TEST_LDAP_PW'] = slapd.servicePassword;
const checker = new LdapPasswordChecker(ldapConfigSchema.parse({ url: slapd.url, userBase: slapd.peopleBase, bindDn: slapd.serviceDn, bindPassword: { env: 'FERRY_TEST_LDAP_PW' } }));
const idp = await startIdp({ checker });
t.teardown(() => idp.close());
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
t.teardown(() => browser.close());

/** The person at another machine's browser: open the URL, confirm the code, log in (or abort). */
async function approve(url: string, how: 'login' | 'abort'): Promise<void> {
  const page: Page = await browser.newPage();
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    if (how === 'abort') {
      await page.click('button[name=abort]');
      await page.waitForLoadState('domcontentloaded');
      return;
    }
    await page.click('button[autofocus]');
    await page.waitForSelector('#username');
    await page.fill('#username', 'bob');
    await page.fill('#password', 'bob-pw-2');
    await page.click('#submit');
    await page.waitForLoadState('domcontentloaded');
  } finally {
    await page.close();
  }
}

function run(how: 'login' | 'abort' | 'never', opts: { interval?: number } = {}) {
  const said: string[] = [];
  const waits: number[] = [];
  const settings: OidcClientSettings = {
    issuer: idp.issuer,
    clientId: idp.clientId,
    say: (line) => said.push(line),
    timeoutMs: 30_000,
    openBrowser: how === 'never' ? undefined : (url) => approve(url, how),
  };
  // Real time between polls would be 5 s (the provider names no interval); the waits are recorded instead.
  const login = loginWithDeviceCode(settings, {
    defaultInterval: opts.interval,
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((r) => setTimeout(r, 50));
    },
  });
  return { login, said, waits };
}

void t.test('device login: code on stderr, pending while the person logs in, slow_down backs off, tokens at the end', async (t) => {
  idp.slowDownNext = 1;
  const { login, said, waits } = run('login');
  const tokens = await login;
  t.equal(tokens.username, 'bob@ferry.test');
  t.ok(tokens.refreshToken, 'a refresh token');
  t.match(said[0], /^To log in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code [A-Z]{4}-[A-Z]{4}$/);
  t.equal(waits[0], 5000, 'RFC 8628 default interval');
  t.equal(waits[1], 10_000, 'slow_down adds 5 s');
  t.equal(idp.slowDownNext, 0, 'the provider said slow_down once');
});

void t.test("Google's verification_url is accepted", async (t) => {
  idp.googleDeviceNames = true;
  try {
    const { login, said } = run('login');
    await login;
    t.match(said[0], /open http:\/\/127\.0\.0\.1:\d+\/device and enter/);
  } finally {
    idp.googleDeviceNames = false;
  }
});

void t.test('access_denied ends the login with a clear error', async (t) => {
  const { login } = run('abort');
  await t.rejects(login, { code: 'FERRY_ERR_UNAUTHENTICATED', message: /denied/ });
});

void t.test('expired_token: a code nobody approves in time ends the login', async (t) => {
  const shortIdp = await startIdp({ checker, deviceCodeTtl: 1 });
  t.teardown(() => shortIdp.close());
  const said: string[] = [];
  const login = loginWithDeviceCode(
    { issuer: shortIdp.issuer, clientId: shortIdp.clientId, say: (l) => said.push(l), timeoutMs: 30_000 },
    { sleep: () => new Promise((r) => setTimeout(r, 400)) },
  );
  await t.rejects(login, { code: 'FERRY_ERR_UNAUTHENTICATED', message: /device code expired: run the login again/ });
  t.ok(shortIdp.count('/token') >= 1, 'it polled');
});
