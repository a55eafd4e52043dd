// godoauth's user store: Vault KV at `{url}/v1/{service}/{account}` read with X-Vault-Token,
// data `{password, access: "repository:linux/app:*;repository:linux/db:pull"}`. The password
// is compared in constant time; `access` becomes the user's `vault-access` label, which an
// ACL rule grants with `name: ${labels:…}` or the registry's `vaultAccess` rule.
import { timingSafeEqual, createHash } from 'node:crypto';
import { request } from 'undici';
import { FerryError, messageOf } from '../errors.js';
import type { PasswordChecker, PasswordIdentity } from './types.js';

export interface VaultKvOptions {
  /** Vault's base URL (through an agent route, the agent adds the token instead). */
  url: string;
  /** The KV mount, godoauth uses the registry's service name. */
  mount: string;
  token?: string;
  timeoutMs?: number;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export class VaultKvPasswords implements PasswordChecker {
  readonly name = 'vault';

  constructor(private readonly opts: VaultKvOptions) {}

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    if (!/^[A-Za-z0-9._@-]+$/.test(username)) return null;
    const url = `${this.opts.url.replace(/\/$/, '')}/v1/${encodeURIComponent(this.opts.mount)}/${encodeURIComponent(username)}`;
    let status: number;
    let body: unknown;
    try {
      const res = await request(url, {
        headers: this.opts.token ? { 'x-vault-token': this.opts.token } : {},
        headersTimeout: this.opts.timeoutMs ?? 5000,
        bodyTimeout: this.opts.timeoutMs ?? 5000,
      });
      status = res.statusCode;
      body = await res.body.json().catch(() => undefined);
    } catch (err) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `vault at ${this.opts.url} did not answer: ${messageOf(err)}`);
    }
    if (status === 404) return null;
    if (status !== 200) throw new FerryError('FERRY_ERR_UNAVAILABLE', `vault at ${this.opts.url} answered ${status}`);
    const data = (body as { data?: { password?: unknown; access?: unknown } } | undefined)?.data;
    if (typeof data?.password !== 'string' || !sameSecret(data.password, password)) return null;
    const access = typeof data.access === 'string' ? data.access.split(';').filter((s) => s !== '') : [];
    return { subject: username, groups: [], labels: { 'vault-access': access } };
  }
}
