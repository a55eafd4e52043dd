// A valid ID token for kubectl: from the cache while it is good for longer than the skew
// (no request to anyone), else refreshed, else a new login — the last two under the login
// lock, re-reading the cache first, so parallel kubectl runs share one login.
import { loginWithBrowser, refreshLogin, type LoginTokens, type OidcClientSettings } from './oidc-login.js';
import { loginWithDeviceCode } from './device-login.js';
import { isFresh, type CacheKey, type CachedTokens, type TokenCache } from './token-cache.js';

export interface GetTokenOptions {
  cache: TokenCache;
  settings: OidcClientSettings;
  skewSeconds: number;
  grant: 'authcode' | 'device';
  say: (line: string) => void;
}

export async function getIdToken(o: GetTokenOptions): Promise<CachedTokens> {
  const key: CacheKey = { issuer: o.settings.issuer, clientId: o.settings.clientId, username: '' };
  const cached = await o.cache.get(key);
  if (cached && isFresh(cached, o.skewSeconds)) return cached;
  return o.cache.locked(key, async () => {
    const now = await o.cache.get(key);
    if (now && isFresh(now, o.skewSeconds)) return now; // another process logged in meanwhile
    let tokens: LoginTokens | undefined;
    if (now?.refreshToken) {
      tokens = await refreshLogin(o.settings, now.refreshToken);
      if (!tokens) o.say('refresh gave no ID token; logging in again');
    }
    if (!tokens) {
      tokens = o.grant === 'device' ? await loginWithDeviceCode(o.settings) : await loginWithBrowser(o.settings);
    }
    const stored: CachedTokens = { issuer: key.issuer, clientId: key.clientId, username: tokens.username, idToken: tokens.idToken, expiresAt: tokens.expiresAt };
    if (tokens.refreshToken) stored.refreshToken = tokens.refreshToken;
    await o.cache.put(key, stored);
    return stored;
  });
}
