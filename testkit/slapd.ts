// A real OpenLDAP slapd (Debian's) for tests: its own temp dir, a free loopback port, an MDB
// database filled with slapadd (people, a service account), and groups added online so the
// memberof overlay writes each user's `memberOf`. stop() kills it and removes the dir.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './net.js';

const run = promisify(execFile);

export const LDAP_SUFFIX = 'dc=ferry,dc=test';
export const LDAP_SERVICE_DN = `cn=ferry-svc,ou=services,${LDAP_SUFFIX}`;
export const LDAP_SERVICE_PASSWORD = 'svc-pw-9d1f';

export interface LdapUser {
  uid: string;
  password: string;
  mail?: string;
  /** Group cns this user is a member of. */
  groups: string[];
}

/** The default directory: alice (devs, ops), bob (devs), carol (no group). */
export const DEFAULT_USERS: LdapUser[] = [
  { uid: 'alice', password: 'alice-pw-1', mail: 'alice@ferry.test', groups: ['devs', 'ops'] },
  { uid: 'bob', password: 'bob-pw-2', mail: 'bob@ferry.test', groups: ['devs'] },
  { uid: 'carol', password: 'carol (pw*3)', groups: [] },
];

export interface Slapd {
  url: string;
  port: number;
  suffix: string;
  serviceDn: string;
  servicePassword: string;
  peopleBase: string;
  groupsBase: string;
  users: LdapUser[];
  /** Stops the server (the port then refuses connections); start() brings it back on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** {SSHA} as slappasswd writes it. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function config(dir: string, rootPassword: string): string {
  return [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'include /etc/ldap/schema/nis.schema',
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'moduleload memberof',
    `pidfile ${join(dir, 'slapd.pid')}`,
    'loglevel none',
    'database mdb',
    `suffix "${LDAP_SUFFIX}"`,
    `rootdn "cn=admin,${LDAP_SUFFIX}"`,
    `rootpw ${rootPassword}`,
    `directory ${join(dir, 'db')}`,
    'maxsize 16777216',
    'overlay memberof',
    'memberof-group-oc groupOfNames',
    'memberof-member-ad member',
    'memberof-memberof-ad memberOf',
    'memberof-refint true',
    // Anonymous users may only bind; the service account reads; users read themselves.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    `access to * by dn.exact="${LDAP_SERVICE_DN}" read by self read by anonymous auth by * none`,
    '',
  ].join('\n');
}

function baseLdif(users: LdapUser[]): string {
  const entries = [
    `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: ferry\no: ferry test`,
    `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ou=services,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${LDAP_SERVICE_DN}\nobjectClass: person\ncn: ferry-svc\nsn: service\nuserPassword: ${ssha(LDAP_SERVICE_PASSWORD)}`,
    ...users.map((u) =>
      [
        `dn: uid=${u.uid},ou=people,${LDAP_SUFFIX}`,
        'objectClass: inetOrgPerson',
        `uid: ${u.uid}`,
        `cn: ${u.uid}`,
        `sn: ${u.uid}`,
        ...(u.mail ? [`mail: ${u.mail}`] : []),
        `userPassword: ${ssha(u.password)}`,
      ].join('\n'),
    ),
  ];
  return entries.join('\n\n') + '\n';
}

function groupsLdif(users: LdapUser[]): string {
  const groups = [...new Set(users.flatMap((u) => u.groups))];
  return groups
    .map((g) => {
      const members = users.filter((u) => u.groups.includes(g)).map((u) => `member: uid=${u.uid},ou=people,${LDAP_SUFFIX}`);
      return [`dn: cn=${g},ou=groups,${LDAP_SUFFIX}`, 'objectClass: groupOfNames', `cn: ${g}`, ...members].join('\n');
    })
    .join('\n\n') + '\n';
}

export async function startSlapd(users: LdapUser[] = DEFAULT_USERS): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-slapd-'));
  await mkdir(join(dir, 'db'));
  const rootPassword = randomBytes(12).toString('hex');
  const conf = join(dir, 'slapd.conf');
  await writeFile(conf, config(dir, rootPassword));
  await writeFile(join(dir, 'base.ldif'), baseLdif(users));
  await writeFile(join(dir, 'groups.ldif'), groupsLdif(users));
  await run('slapadd', ['-q', '-f', conf, '-l', join(dir, 'base.ldif')]);

  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    // -d 0: stay in the foreground (so the test owns the process), no debug output.
    child = spawn('slapd', ['-d', '0', '-h', url, '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`slapd exited (${code}): ${stderr}`))));
    await Promise.race([waitForPort(port, 'slapd'), exited]);
    exited.catch(() => undefined);
  };
  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await gone;
  };
  await start();
  if (users.some((u) => u.groups.length > 0)) {
    await run('ldapadd', ['-x', '-H', url, '-D', `cn=admin,${LDAP_SUFFIX}`, '-w', rootPassword, '-f', join(dir, 'groups.ldif')]);
  }
  return {
    url,
    port,
    suffix: LDAP_SUFFIX,
    serviceDn: LDAP_SERVICE_DN,
    servicePassword: LDAP_SERVICE_PASSWORD,
    peopleBase: `ou=people,${LDAP_SUFFIX}`,
    groupsBase: `ou=groups,${LDAP_SUFFIX}`,
    users,
    pause: halt,
    resume: start,
    stop: async () => {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
