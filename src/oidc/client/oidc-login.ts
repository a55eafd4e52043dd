// Logging in at an OpenID Connect provider from the command line, with openid-client:
// authorization code + PKCE (S256) through the browser with a loopback callback on the first
// free port of a list, random state and nonce (both checked); the device authorization grant
// (RFC 8628) for machines without a browser; and refresh. Prompts and URLs go to stderr.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import * as oidc from 'openid-client';
import { FerryError, messageOf } from '../../errors.js';
import { expiryOf } from './token-cache.js';

export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  /** PEM of the CA the provider's certificate chains to. */
  caPem?: string;
  /** Scopes besides openid (default: email, groups, offline_access). */
  scopes?: string[];
  /** Loopback callback ports, tried in order (default 8000, 18000). */
  listenPorts?: number[];
  /** Opens the login URL (default: print it). */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Where prompts go (stderr). */
  say: (line: string) => void;
  /** How long a login may take (default 5 minutes). */
  timeoutMs?: number;
}

export interface LoginTokens {
  idToken: string;
  refreshToken?: string;
  expiresAt: number;
  /** email, else sub, of the ID token. */
  username: string;
}

const DEFAULT_SCOPES = ['email', 'groups', 'offline_access'];

async function configOf(s: OidcClientSettings): Promise<oidc.Configuration> {
  const dispatcher = new Agent({ connect: s.caPem ? { ca: s.caPem } : {} });
  const fetchImpl = ((url: string, init: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher })) as unknown as oidc.CustomFetch;
  const insecure = new URL(s.issuer).protocol === 'http:';
  try {
    const config = await oidc.discovery(new URL(s.issuer), s.clientId, undefined, oidc.None(), {
      [oidc.customFetch]: fetchImpl,
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
    config[oidc.customFetch] = fetchImpl;
    return config;
  } catch (err) {
    throw new FerryError('FERRY_ERR_UNAVAILABLE', `identity provider ${s.issuer}: discovery failed: ${messageOf(err)}`);
  }
}

function tokensOf(answer: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previousRefresh?: string): LoginTokens | undefined {
  const idToken = answer.id_token;
  if (!idToken) return undefined;
  const claims = answer.claims();
  const username = typeof claims?.['email'] === 'string' ? claims['email'] : String(claims?.sub ?? '');
  return { idToken, refreshToken: answer.refresh_token ?? previousRefresh, expiresAt: expiryOf(idToken), username };
}

/** The first port of the list that is free on 127.0.0.1 (kubelogin #389: parallel logins clashed). */
async function listenOnFirstFree(server: Server, ports: number[]): Promise<number> {
  for (const port of ports) {
    const ok = await new Promise<boolean>((resolve) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
        else resolve(false);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve(true);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, '127.0.0.1');
    });
    if (ok) return (server.address() as AddressInfo).port;
  }
  throw new FerryError('FERRY_ERR_UNAVAILABLE', `no free callback port among ${ports.join(', ')}`);
}

const PAGE = (text: string) => `<!doctype html><html><body><p>${text}</p></body></html>`;

export async function loginWithBrowser(s: OidcClientSettings): Promise<LoginTokens> {
  const config = await configOf(s);
  const verifier = oidc.randomPKCECodeVerifier();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const server = createServer();
  const port = await listenOnFirstFree(server, s.listenPorts ?? [8000, 18000]);
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  try {
    const callback = new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new FerryError('FERRY_ERR_UNAUTHENTICATED', 'login timed out')), s.timeoutMs ?? 300_000);
      server.on('request', (req, res) => {
        const url = new URL(req.url ?? '/', redirectUri);
        if (url.pathname !== '/callback') {
          res.writeHead(404).end();
          return;
        }
        const error = url.searchParams.get('error');
        if (url.searchParams.get('state') !== state) {
          res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('Login refused: the state does not match this login.'));
          clearTimeout(timer);
          reject(new FerryError('FERRY_ERR_UNAUTHENTICATED', 'login callback refused: state mismatch'));
          return;
        }
        clearTimeout(timer);
        if (error) {
          res.writeHead(400, { 'content-type': 'text/html' }).end(PAGE('Login failed.'));
          reject(new FerryError('FERRY_ERR_UNAUTHENTICATED', `the identity provider refused the login: ${error.slice(0, 100)}`));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE('Logged in. You may close this window.'));
        resolve(url);
      });
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: ['openid', ...(s.scopes ?? DEFAULT_SCOPES)].join(' '),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
      // Providers issue a refresh token for offline_access only after consent (oidc-provider).
      prompt: 'consent',
    });
    callback.catch(() => undefined); // awaited below; a refusal may come while the browser opens
    s.say(`Open this URL to log in: ${url.href}`);
    await s.openBrowser?.(url.href);
    const current = await callback;
    let answer;
    try {
      answer = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    } catch (err) {
      throw new FerryError('FERRY_ERR_UNAUTHENTICATED', `code exchange failed: ${messageOf(err)}`);
    }
    const tokens = tokensOf(answer);
    if (!tokens) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'the identity provider returned no ID token');
    return tokens;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** New tokens from a refresh token; undefined when the answer has no ID token (OIDC Core §12.2 allows that) or the refresh is refused. */
export async function refreshLogin(s: OidcClientSettings, refreshToken: string): Promise<LoginTokens | undefined> {
  const config = await configOf(s);
  try {
    return tokensOf(await oidc.refreshTokenGrant(config, refreshToken), refreshToken);
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return undefined; // invalid_grant: log in again
    throw new FerryError('FERRY_ERR_UNAVAILABLE', `refresh failed: ${messageOf(err)}`);
  }
}
