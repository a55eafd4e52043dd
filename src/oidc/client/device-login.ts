// The device authorization grant (RFC 8628) for machines without a browser: the URL and code
// go to stderr; the token endpoint is polled at the provider's interval, slower by 5 s after
// each slow_down; authorization_pending waits, expired_token and access_denied end the login.
// Google's `verification_url` is taken as `verification_uri` (kubelogin #846).
import { Agent, fetch as undiciFetch } from 'undici';
import { FerryError, messageOf } from '../../errors.js';
import type { LoginTokens, OidcClientSettings } from './oidc-login.js';
import { expiryOf } from './token-cache.js';
import { decodeJwt } from 'jose';

interface DeviceAnswer {
  device_code?: string;
  user_code?: string;
  verification_uri?: string;
  verification_url?: string;
  verification_uri_complete?: string;
  interval?: number;
  expires_in?: number;
}

export interface DeviceLoginOptions {
  /** Waits between polls, for tests (ms). */
  sleep?: (ms: number) => Promise<void>;
  /** Seconds between polls when the provider names none (RFC 8628: 5). */
  defaultInterval?: number;
}

export async function loginWithDeviceCode(s: OidcClientSettings, o: DeviceLoginOptions = {}): Promise<LoginTokens> {
  const dispatcher = new Agent({ connect: s.caPem ? { ca: s.caPem } : {} });
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  try {
    const get = async (url: string) => {
      const res = await undiciFetch(url, { dispatcher, redirect: 'manual' });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const post = async (url: string, form: Record<string, string>) => {
      const res = await undiciFetch(url, { method: 'POST', dispatcher, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams(form).toString() });
      return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };
    let meta: Record<string, unknown>;
    try {
      meta = await get(`${s.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    } catch (err) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `identity provider ${s.issuer}: discovery failed: ${messageOf(err)}`);
    }
    const deviceEndpoint = meta['device_authorization_endpoint'];
    const tokenEndpoint = meta['token_endpoint'];
    if (typeof deviceEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `identity provider ${s.issuer} offers no device authorization`);
    }
    const scope = ['openid', ...(s.scopes ?? ['email', 'groups', 'offline_access'])].join(' ');
    const started = await post(deviceEndpoint, { client_id: s.clientId, scope });
    const device = started.json as DeviceAnswer;
    const uri = device.verification_uri ?? device.verification_url;
    if (started.status !== 200 || !device.device_code || !device.user_code || !uri) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `device authorization refused (${started.status} ${typeof started.json['error'] === 'string' ? started.json['error'].slice(0, 60) : ''})`);
    }
    s.say(`To log in, open ${uri} and enter the code ${device.user_code}`);
    if (device.verification_uri_complete) s.say(`(or open ${device.verification_uri_complete})`);
    await s.openBrowser?.(device.verification_uri_complete ?? uri);
    let interval = (device.interval ?? o.defaultInterval ?? 5) * 1000;
    // The provider says when the code expired (expired_token); this deadline only guards against one that never does.
    const deadline = Date.now() + Math.min((device.expires_in ?? 600) * 1000 + 5000, s.timeoutMs ?? 600_000);
    for (;;) {
      await sleep(interval);
      if (Date.now() > deadline) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'device login expired before it was approved');
      const polled = await post(tokenEndpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: s.clientId });
      const error = polled.json['error'];
      if (polled.status === 200 && typeof polled.json['id_token'] === 'string') {
        const idToken = polled.json['id_token'];
        const claims = decodeJwt(idToken);
        const refresh = polled.json['refresh_token'];
        return {
          idToken,
          ...(typeof refresh === 'string' ? { refreshToken: refresh } : {}),
          expiresAt: expiryOf(idToken),
          username: typeof claims['email'] === 'string' ? claims['email'] : String(claims.sub ?? ''),
        };
      }
      if (error === 'authorization_pending') continue;
      if (error === 'slow_down') {
        interval += 5000;
        continue;
      }
      if (error === 'expired_token') throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'device code expired: run the login again');
      if (error === 'access_denied') throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'the login was denied at the identity provider');
      throw new FerryError('FERRY_ERR_UNAUTHENTICATED', `device login failed (${polled.status} ${typeof error === 'string' ? error.slice(0, 60) : 'no id_token'})`);
    }
  } finally {
    await dispatcher.close();
  }
}
