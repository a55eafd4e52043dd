// `ferry user login|logout`, `ferry user` and `ferry config targets`: osprey's client, on
// osprey's config shape. A login writes one cluster/user/context per target (and alias) into
// the kubeconfig; the user entry runs `ferry kubectl-credential` (or, with --auth-provider,
// osprey's legacy `auth-provider: oidc` with the token inline).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { decodeJwt } from 'jose';
import { FerryError, messageOf } from '../errors.js';
import { EXEC_V1 } from '../oidc/client/exec-credential.js';
import { getIdToken } from '../oidc/client/get-token.js';
import { ospreyLogin } from '../oidc/client/osprey-login.js';
import { defaultClientConfigFile, groupsOf, loadClientConfig, selectTargets, targetsInGroup, UNGROUPED, type LoadedClientConfig, type Target } from '../oidc/client/osprey-config.js';
import { expiryOf, TokenCache, type CacheKey } from '../oidc/client/token-cache.js';
import { mergeTargets, readKubeconfig, updateKubeconfig, userOf, type KubeTargetEntry } from '../oidc/client/user-kubeconfig.js';

interface CommonOptions {
  config?: string;
  group?: string;
}

interface LoginOptions extends CommonOptions {
  username?: string;
  authProvider?: boolean;
  execCommand?: string;
  browserCommand?: string;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const aliasesOf = (t: Target) => (t.aliases.length > 0 ? ` | ${t.aliases.join(' | ')}` : '');

function cacheDirArgs(): string[] {
  const dir = process.env['FERRY_TOKEN_CACHE_DIR'];
  return dir ? ['--token-cache-dir', dir] : [];
}

/** Lines typed on stdin (a terminal gets prompts on stderr and no echo for the password). */
async function askCredentials(username: string | undefined): Promise<{ username: string; password: string }> {
  const tty = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: tty ? process.stderr : undefined, terminal: tty });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string, hidden: boolean): Promise<string> => {
    if (tty) process.stderr.write(prompt);
    const mute = hidden && tty;
    const write = (rl as unknown as { _writeToOutput?: (s: string) => void })._writeToOutput;
    if (mute) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    const next = await lines.next();
    if (mute) {
      (rl as unknown as { _writeToOutput?: (s: string) => void })._writeToOutput = write;
      process.stderr.write('\n');
    }
    if (next.done) throw new FerryError('FERRY_ERR_BAD_INPUT', 'no input: type the username and password');
    return String(next.value);
  };
  try {
    const user = username ?? (await ask('user: ', false)).trim();
    const password = await ask('password: ', true);
    if (user === '' || password === '') throw new FerryError('FERRY_ERR_BAD_INPUT', 'username and password are required');
    return { username: user, password };
  } finally {
    rl.close();
  }
}

function ferryCommand(o: LoginOptions): string {
  return o.execCommand ?? resolve(process.argv[1] ?? 'ferry');
}

async function loginOsprey(t: Target, creds: { username: string; password: string }, o: LoginOptions, cache: TokenCache): Promise<KubeTargetEntry> {
  const answer = await ospreyLogin(t.server, t.caPem, creds.username, creds.password);
  const key: CacheKey = { issuer: t.server, clientId: answer.provider.clientID, username: answer.user.username };
  await cache.put(key, { ...key, idToken: answer.user.token, expiresAt: expiryOf(answer.user.token) });
  const user: Record<string, unknown> = o.authProvider
    ? {
        'auth-provider': {
          name: 'oidc',
          config: {
            'client-id': answer.provider.clientID,
            'id-token': answer.user.token,
            'idp-issuer-url': answer.provider.issuerURL,
            ...(answer.provider.issuerCA ? { 'idp-certificate-authority-data': answer.provider.issuerCA } : {}),
          },
        },
      }
    : {
        exec: {
          apiVersion: EXEC_V1,
          command: ferryCommand(o),
          args: ['kubectl-credential', '--login-server', t.server, '--oidc-client-id', answer.provider.clientID, '--username', answer.user.username, ...cacheDirArgs()],
          interactiveMode: 'Never',
          provideClusterInfo: false,
        },
      };
  return { name: t.name, aliases: t.aliases, server: answer.cluster.apiServerURL, caData: answer.cluster.apiServerCA, user };
}

async function loginOidc(t: Target & { provider: { kind: 'oidc' } }, o: LoginOptions, cache: TokenCache): Promise<KubeTargetEntry> {
  const p = t.provider;
  const caPem = p.issuerCaFile ? await readFile(p.issuerCaFile, 'utf8') : undefined;
  const ports = p.listenPorts ?? [8000, 18000];
  const { settingsOf } = await import('./kubectl-credential.js');
  const settings = await settingsOf({
    oidcIssuerUrl: p.issuer,
    oidcClientId: p.clientId,
    certificateAuthority: p.issuerCaFile,
    listenPort: ports.join(','),
    grantType: p.grant,
    browserCommand: o.browserCommand,
    skew: '60s',
  });
  await getIdToken({ cache, settings: { ...settings, ...(caPem ? { caPem } : {}) }, skewSeconds: 60, grant: p.grant, say: err });
  const args = ['kubectl-credential', '--oidc-issuer-url', p.issuer, '--oidc-client-id', p.clientId, '--grant-type', p.grant, '--listen-port', ports.join(','), ...cacheDirArgs()];
  if (p.issuerCaFile) args.push('--certificate-authority', p.issuerCaFile);
  if (o.browserCommand) args.push('--browser-command', o.browserCommand);
  if (!t.caPem) throw new FerryError('FERRY_ERR_BAD_CONFIG', `target ${t.name}: certificate-authority of its API server is required for oidc targets`);
  return {
    name: t.name,
    aliases: t.aliases,
    server: t.server,
    caData: Buffer.from(t.caPem).toString('base64'),
    user: { exec: { apiVersion: EXEC_V1, command: ferryCommand(o), args, interactiveMode: 'IfAvailable', provideClusterInfo: false } },
  };
}

async function load(o: CommonOptions): Promise<LoadedClientConfig> {
  return loadClientConfig(o.config ?? defaultClientConfigFile());
}

async function userLogin(names: string[], o: LoginOptions): Promise<void> {
  const config = await load(o);
  const { group, explicit, targets } = selectTargets(config, o.group, names);
  if (targets.length === 0) throw new FerryError('FERRY_ERR_BAD_INPUT', `no targets in group ${group}`);
  if (explicit) out(`Logging in to group '${group}'`);
  const cache = new TokenCache();
  const needsPassword = targets.some((t) => t.provider.kind === 'osprey');
  const creds = needsPassword ? await askCredentials(o.username) : undefined;
  // All targets at once, as osprey does; one failing does not stop the others.
  const results = await Promise.allSettled(
    targets.map((t) => (t.provider.kind === 'osprey' ? loginOsprey(t, creds!, o, cache) : loginOidc(t as Target & { provider: { kind: 'oidc' } }, o, cache))),
  );
  const entries: KubeTargetEntry[] = [];
  results.forEach((r, i) => {
    const t = targets[i]!;
    if (r.status === 'fulfilled') {
      entries.push(r.value);
      out(`Logged in to ${t.name}${aliasesOf(t)}`);
    } else {
      err(`Failed to log in to ${t.name}: ${r.reason instanceof FerryError ? r.reason.message : messageOf(r.reason)}`);
    }
  });
  if (entries.length > 0) await updateKubeconfig(config.kubeconfig, (doc) => mergeTargets(doc, entries));
  if (entries.length < targets.length) process.exitCode = 1;
}

/** The token of a target's kubeconfig user: inline (auth-provider) or in the cache (exec plugin). */
async function tokenOf(user: Record<string, unknown> | undefined, cache: TokenCache): Promise<{ token?: string; key?: CacheKey }> {
  const ap = user?.['auth-provider'] as { config?: Record<string, unknown> } | undefined;
  if (ap?.config) return { token: typeof ap.config['id-token'] === 'string' && ap.config['id-token'] !== '' ? ap.config['id-token'] : undefined };
  const args = (user?.['exec'] as { args?: unknown } | undefined)?.args;
  if (!Array.isArray(args)) return {};
  const arg = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 && typeof args[i + 1] === 'string' ? (args[i + 1] as string) : undefined;
  };
  const server = arg('--login-server');
  const key: CacheKey = server
    ? { issuer: server, clientId: arg('--oidc-client-id') ?? 'ferry', username: arg('--username') ?? '' }
    : { issuer: arg('--oidc-issuer-url') ?? '', clientId: arg('--oidc-client-id') ?? '', username: '' };
  const cached = await cache.get(key);
  return { token: cached?.idToken, key };
}

async function userShow(o: CommonOptions): Promise<void> {
  const config = await load(o);
  const { targets } = selectTargets(config, o.group);
  const doc = await readKubeconfig(config.kubeconfig);
  const cache = new TokenCache();
  for (const t of targets) {
    const { token } = await tokenOf(userOf(doc, t.name), cache);
    if (!token) {
      out(`${t.name}: none`);
      continue;
    }
    // Decoded, not verified: this only shows what the token says (even when expired).
    const claims = decodeJwt(token);
    const who = typeof claims['email'] === 'string' ? claims['email'] : String(claims.sub ?? '?');
    const groups = Array.isArray(claims['groups']) ? (claims['groups'] as unknown[]).map(String) : [];
    const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : 'never';
    out(`${t.name}: ${who} [${groups.join(', ')}] (expires ${exp})`);
  }
}

async function userLogout(names: string[], o: CommonOptions): Promise<void> {
  const config = await load(o);
  const { targets } = selectTargets(config, o.group, names);
  const cache = new TokenCache();
  const doc = await readKubeconfig(config.kubeconfig);
  const keys: CacheKey[] = [];
  const loggedIn: Target[] = [];
  for (const t of targets) {
    const { token, key } = await tokenOf(userOf(doc, t.name), cache);
    if (key) keys.push(key);
    if (token) loggedIn.push(t);
  }
  for (const key of keys) await cache.remove(key);
  if (loggedIn.length === 0) return;
  // Entries stay; the inline token is blanked (osprey's logout).
  await updateKubeconfig(config.kubeconfig, (d) => {
    for (const t of loggedIn) {
      const ap = userOf(d, t.name)?.['auth-provider'] as { config?: Record<string, unknown> } | undefined;
      if (ap?.config) ap.config['id-token'] = '';
    }
  });
  for (const t of loggedIn) out(`Logged out from ${t.name}`);
}

function configTargets(o: CommonOptions & { byGroups?: boolean; listGroups?: boolean }, config: LoadedClientConfig): void {
  const current = config.defaultGroup ?? UNGROUPED;
  const mark = (g: string) => (g === current ? '* ' : '  ');
  if (o.listGroups) {
    out('Configured groups:');
    for (const g of groupsOf(config)) out(`${mark(g)}${g}`);
    return;
  }
  out('Configured targets:');
  if (o.byGroups) {
    for (const g of groupsOf(config)) {
      out(`${mark(g)}${g}`);
      for (const t of targetsInGroup(config, g)) out(`    ${t.name}${aliasesOf(t)}`);
    }
    return;
  }
  const { targets } = o.group ? selectTargets(config, o.group) : { targets: [...config.targets].sort((a, b) => a.name.localeCompare(b.name)) };
  for (const t of targets) out(`  ${t.name}${aliasesOf(t)}`);
}

const configOption = ['--config <file>', 'client config in osprey\'s shape (default $FERRY_CLIENT_CONFIG or ~/.config/ferry/config)'] as const;

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description('who is logged in to each target (email, groups, expiry); login and logout')
    .option(...configOption)
    .option('--group <group>', 'targets of this group')
    .action((o: CommonOptions) => userShow(o));
  user
    .command('login [targets...]')
    .description('log in to the targets of a group (password via the login server, or at the identity provider) and write the kubeconfig')
    .option(...configOption)
    .option('--group <group>', 'targets of this group')
    .option('--username <name>', 'do not ask for the username')
    .option('--auth-provider', "write osprey's legacy auth-provider: oidc entries instead of the exec plugin")
    .option('--exec-command <path>', 'the ferry program kubectl runs (default: this one)')
    .option('--browser-command <cmd>', 'program that opens the login URL')
    .action((targets: string[], _o: LoginOptions, cmd: Command) => userLogin(targets, cmd.optsWithGlobals<LoginOptions>()));
  user
    .command('logout [targets...]')
    .description("forget the targets' tokens (the kubeconfig entries stay)")
    .option(...configOption)
    .option('--group <group>', 'targets of this group')
    .action((targets: string[], _o: CommonOptions, cmd: Command) => userLogout(targets, cmd.optsWithGlobals<CommonOptions>()));
}

export function registerConfigTargets(program: Command): void {
  const config = program.command('config').description("the client config (osprey's shape)");
  config
    .command('targets')
    .description('the configured targets')
    .option(...configOption)
    .option('--group <group>', 'only this group')
    .option('--by-groups', 'targets under each group')
    .option('--list-groups', 'only the group names')
    .action(async (o: CommonOptions & { byGroups?: boolean; listGroups?: boolean }) => configTargets(o, await load(o)));
}
