// LDAP password backend: find the user's entry with the service account (search, not a DN
// template, so users may live anywhere under userBase), then bind as that entry with the
// password typed. Groups come from the entry's memberOf or from a group search.
// A server that cannot answer is FERRY_ERR_UNAVAILABLE (503): "LDAP is down" must never look
// like "wrong password". The password is never logged nor put into an error.
import { readFile } from 'node:fs/promises';
import { Client, InvalidCredentialsError, ResultCodeError, type Entry } from 'ldapts';
import type { LdapConfig } from '../config/ldap-config.js';
import { FerryError, messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import type { PasswordChecker, PasswordIdentity } from './types.js';

/** RFC 4515 escaping of a value put into a search filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? escapeFilterValue(values[name]!) : whole));
}

function texts(value: Entry[string] | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** `cn=devs,ou=groups,dc=x` → `devs` (the first RDN's value, with DN escapes undone). */
export function groupNameOfDn(dn: string): string {
  const first = /^[^=]+=((?:\\.|[^,+\\])*)/.exec(dn.trim());
  const raw = first?.[1] ?? dn;
  return raw.replace(/\\([0-9a-fA-F]{2}|.)/g, (_, e: string) => (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e)).trim();
}

export interface LdapCheckerOptions {
  log?: LogFn;
  /** The CA's PEM for ldaps:// / startTls (read by the caller from `ca`). */
  caPem?: string;
}

export class LdapPasswordChecker implements PasswordChecker {
  readonly name = 'ldap';
  private readonly log: LogFn;

  constructor(
    private readonly config: LdapConfig,
    private readonly options: LdapCheckerOptions = {},
  ) {
    this.log = options.log ?? (() => undefined);
  }

  async check(username: string, password: string): Promise<PasswordIdentity | null> {
    // An empty password is an LDAP "unauthenticated bind", which servers answer with success.
    if (username === '' || password === '') return null;
    const client = this.client();
    try {
      await this.connect(client);
      const entry = await this.findUser(client, username);
      if (!entry) return null;
      const subject = texts(entry[this.config.usernameAttribute])[0] ?? username;
      const groups = await this.groupsOf(client, entry, subject);
      const labels: Record<string, string[]> = {};
      for (const attr of this.config.labels) {
        const values = texts(entry[attr]);
        if (values.length > 0) labels[attr] = values;
      }
      // Bind as the user last: the connection then acts as the user, not as the service.
      if (!(await this.bindAsUser(client, entry.dn, password))) {
        this.log('info', 'ldap: wrong password', { username: subject });
        return null;
      }
      return { subject, groups, labels };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private client(): Client {
    const ms = Math.max(1, Math.round(this.config.timeout * 1000));
    const tlsOptions = this.options.caPem ? { ca: [this.options.caPem] } : undefined;
    return new Client({ url: this.config.url, timeout: ms, connectTimeout: ms, ...(tlsOptions && { tlsOptions }) });
  }

  private unavailable(what: string, err: unknown): FerryError {
    // ldapts' messages name the server and the result, never the bind password.
    const reason = `LDAP ${this.config.url}: ${what}: ${messageOf(err)}`;
    this.log('warn', 'ldap: server unavailable', { reason });
    return new FerryError('FERRY_ERR_UNAVAILABLE', `password check unavailable (${reason})`, { cause: err });
  }

  private async connect(client: Client): Promise<void> {
    try {
      if (this.config.startTls) await client.startTLS(this.options.caPem ? { ca: [this.options.caPem] } : {});
      if (this.config.bindDn !== undefined) await client.bind(this.config.bindDn, await this.servicePassword());
    } catch (err) {
      if (err instanceof FerryError) throw err;
      const what = err instanceof InvalidCredentialsError ? 'the service account bind was refused (check bindDn/bindPassword)' : 'cannot connect';
      throw this.unavailable(what, err);
    }
  }

  private async servicePassword(): Promise<string> {
    const source = this.config.bindPassword;
    if (!source) return '';
    if (source.env !== undefined) {
      const value = process.env[source.env];
      if (value === undefined || value === '') throw new FerryError('FERRY_ERR_UNAVAILABLE', `LDAP bind password: environment variable ${source.env} is not set`);
      return value;
    }
    try {
      return (await readFile(source.file!, 'utf8')).trim();
    } catch (err) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `LDAP bind password: cannot read ${source.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }

  private async findUser(client: Client, username: string): Promise<Entry | undefined> {
    const filter = fill(this.config.userFilter, { username });
    const attributes = [this.config.usernameAttribute, 'memberOf', ...this.config.labels];
    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await client.search(this.config.userBase, { scope: 'sub', filter, attributes, sizeLimit: 2 }));
    } catch (err) {
      throw this.unavailable('user search failed', err);
    }
    if (entries.length !== 1) {
      if (entries.length > 1) this.log('warn', 'ldap: more than one entry matches; refusing', { username });
      return undefined;
    }
    return entries[0];
  }

  private async groupsOf(client: Client, entry: Entry, subject: string): Promise<string[]> {
    const g = this.config.groups;
    if (g.from === 'memberOf') return [...new Set(texts(entry['memberOf']).map(groupNameOfDn))].sort();
    const filter = fill(g.filter, { dn: entry.dn, username: subject });
    try {
      const { searchEntries } = await client.search(g.base!, { scope: 'sub', filter, attributes: [g.nameAttribute] });
      return [...new Set(searchEntries.flatMap((e) => texts(e[g.nameAttribute])))].sort();
    } catch (err) {
      throw this.unavailable('group search failed', err);
    }
  }

  private async bindAsUser(client: Client, dn: string, password: string): Promise<boolean> {
    try {
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      // Other result codes (account locked: 53 unwillingToPerform…) refuse this user; a
      // transport failure means the server cannot answer.
      if (err instanceof ResultCodeError) {
        this.log('info', 'ldap: user bind refused', { code: err.code });
        return false;
      }
      throw this.unavailable('user bind failed', err);
    }
  }
}
