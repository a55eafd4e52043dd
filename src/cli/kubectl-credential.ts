// `ferry kubectl-credential`: a client-go exec credential plugin. kubectl runs it before
// each request batch; it answers from the token cache (no network while the token is good),
// refreshes, or logs in (browser or device code), sharing one login across parallel runs.
// stdout carries only the ExecCredential; everything else goes to stderr.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { FerryError, messageOf } from '../errors.js';
import { execCredentialJson, execInfoOf } from '../oidc/client/exec-credential.js';
import { getIdToken } from '../oidc/client/get-token.js';
import type { OidcClientSettings } from '../oidc/client/oidc-login.js';
import { isFresh, TokenCache } from '../oidc/client/token-cache.js';

export interface CredentialOptions {
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  certificateAuthority?: string;
  listenPort: string;
  grantType: string;
  browserCommand?: string;
  skew: string;
  tokenCacheDir?: string;
  loginServer?: string;
  username?: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

function opener(command: string | undefined): ((url: string) => void) | undefined {
  const cmd = command ?? (process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY'] ? 'xdg-open' : undefined);
  if (!cmd) return undefined;
  return (url) => {
    // Never the plugin's stdout: that is kubectl's.
    const child = spawn(cmd, [url], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    child.stdout.on('data', (c: Buffer) => process.stderr.write(c));
    child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
    child.on('error', (err) => say(`cannot open a browser (${messageOf(err)}); open the URL above yourself`));
  };
}

export function portsOf(list: string): number[] {
  const ports = list.split(',').map((p) => Number(p.trim()));
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) throw new FerryError('FERRY_ERR_BAD_INPUT', `--listen-port: expected a comma list of ports, got ${JSON.stringify(list)}`);
  return ports;
}

export async function settingsOf(o: CredentialOptions): Promise<OidcClientSettings> {
  if (!o.oidcIssuerUrl || !o.oidcClientId) throw new FerryError('FERRY_ERR_BAD_INPUT', 'give --oidc-issuer-url and --oidc-client-id (or --login-server and --username)');
  let caPem: string | undefined;
  if (o.certificateAuthority) {
    try {
      caPem = await readFile(o.certificateAuthority, 'utf8');
    } catch (err) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', `--certificate-authority: cannot read ${o.certificateAuthority}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const open = opener(o.browserCommand);
  return { issuer: o.oidcIssuerUrl, clientId: o.oidcClientId, caPem, listenPorts: portsOf(o.listenPort), say, ...(open ? { openBrowser: open } : {}) };
}

async function run(o: CredentialOptions): Promise<void> {
  const info = execInfoOf(process.env);
  const skew = parseDuration(o.skew);
  if (skew === undefined) throw new FerryError('FERRY_ERR_BAD_INPUT', `--skew: expected a duration such as 60s, got ${JSON.stringify(o.skew)}`);
  const cache = new TokenCache(o.tokenCacheDir);
  if (o.loginServer) {
    // A token from `ferry user login` (ferry's password login): only the cache, a login needs the password.
    const tokens = await cache.get({ issuer: o.loginServer, clientId: o.oidcClientId ?? 'ferry', username: o.username ?? '' });
    if (!tokens || !isFresh(tokens, skew)) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', `no valid token for ${o.username ?? 'you'} at ${o.loginServer}: run \`ferry user login\``);
    process.stdout.write(execCredentialJson(info.apiVersion, tokens.idToken, tokens.expiresAt));
    return;
  }
  if (o.grantType !== 'authcode' && o.grantType !== 'device') throw new FerryError('FERRY_ERR_BAD_INPUT', '--grant-type: authcode or device');
  const tokens = await getIdToken({ cache, settings: await settingsOf(o), skewSeconds: skew, grant: o.grantType, say });
  process.stdout.write(execCredentialJson(info.apiVersion, tokens.idToken, tokens.expiresAt));
}

export function registerKubectlCredential(program: Command): void {
  program
    .command('kubectl-credential')
    .description('kubectl exec credential plugin: an ID token from the cache, a refresh or a login (JSON on stdout only)')
    .option('--oidc-issuer-url <url>', 'the identity provider')
    .option('--oidc-client-id <id>', 'the client id registered at the provider')
    .option('--certificate-authority <file>', "CA of the provider's (or login server's) certificate")
    .option('--listen-port <ports>', 'loopback callback ports, first free wins', '8000,18000')
    .option('--grant-type <type>', 'authcode (browser) or device', 'authcode')
    .option('--browser-command <cmd>', 'program that opens the login URL (default xdg-open with a display, else print it)')
    .option('--skew <duration>', 'a token expiring sooner than this is renewed', '60s')
    .option('--token-cache-dir <dir>', 'token cache folder (default $FERRY_TOKEN_CACHE_DIR or ~/.cache/ferry/tokens)')
    .option('--login-server <url>', "ferry's login server (tokens from `ferry user login`)")
    .option('--username <name>', 'the user logged in at --login-server')
    .action(run);
}
