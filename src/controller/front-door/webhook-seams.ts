// The controller's `webhooks:`. The auth webhook is seen by the front door twice — as an
// authenticator (Basic password → /password, a bearer token that is not ferry's → /token)
// and as an authoriser (/authz: may this person use this route). The config webhook adds
// an authoriser applying each person's own configuration (agents, routes, impersonation,
// request rate).
import { readFile } from 'node:fs/promises';
import type { WebhooksConfig } from '../../config/webhooks-config.js';
import { FerryError, messageOf } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import { WebhookPasswords } from '../../passwords/webhook-passwords.js';
import {
  AuthWebhookClient,
  CallerConfigAuthoriser,
  ConfigWebhookClient,
  WebhookAuthenticator,
  WebhookAuthoriser,
  type WebhookTransportOptions,
} from '../../webhooks/index.js';
import type { Authenticator, Authoriser } from './types.js';

export interface WebhookSeams {
  authenticators: Authenticator[];
  authorisers: Authoriser[];
  close(): Promise<void>;
}

type Endpoint = NonNullable<WebhooksConfig['config']>;

async function readPem(file: string, where: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: cannot read ${file}: ${messageOf(err)}`);
  }
}

export async function transportOf(e: Endpoint, where: string, ferryCaPem: string, log: LogFn): Promise<WebhookTransportOptions & { cacheTtlMs: number }> {
  if ((e.cert === undefined) !== (e.key === undefined)) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: give both cert and key (mutual TLS), or neither`);
  }
  return {
    url: e.url,
    ca: e.ca ? await readPem(e.ca, `${where}.ca`) : ferryCaPem,
    cert: e.cert && (await readPem(e.cert, `${where}.cert`)),
    key: e.key && (await readPem(e.key, `${where}.key`)),
    timeoutMs: e.timeout * 1000,
    retryIntervalMs: e.retryInterval * 1000,
    deadlineMs: e.deadline * 1000,
    cacheTtlMs: e.cacheTtl * 1000,
    allowPlainHttp: e.allowPlainHttp,
    log,
  };
}

export async function webhookSeams(config: WebhooksConfig | undefined, ferryCaPem: string, log: LogFn): Promise<WebhookSeams> {
  const seams: WebhookSeams = { authenticators: [], authorisers: [], close: () => Promise.resolve() };
  const closers: (() => Promise<void>)[] = [];
  if (config?.auth) {
    const client = new AuthWebhookClient({ ...(await transportOf(config.auth, 'webhooks.auth', ferryCaPem, log)), methods: config.auth.methods });
    closers.push(() => client.close());
    seams.authenticators.push(new WebhookAuthenticator(client, { log }));
    seams.authorisers.push(new WebhookAuthoriser(client, { log }));
    log('info', 'front door: credentials checked by the auth webhook', { url: config.auth.url, methods: config.auth.methods });
  }
  if (config?.config) {
    const client = new ConfigWebhookClient(await transportOf(config.config, 'webhooks.config', ferryCaPem, log));
    closers.push(() => client.close());
    seams.authorisers.push(new CallerConfigAuthoriser(client));
    log('info', "front door: each person's configuration from the config webhook", { url: config.config.url });
  }
  seams.close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  return seams;
}

/**
 * The auth webhook's /password as a password backend (the registry's token endpoint and the
 * login endpoint ask it like any other); `where` names the config key that asked for it.
 */
export async function webhookPasswordsOf(webhooks: WebhooksConfig | undefined, where: string, ferryCaPem: string, log: LogFn): Promise<WebhookPasswords> {
  if (!webhooks?.auth) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: the webhook password backend needs webhooks.auth (its url and TLS)`);
  const client = new AuthWebhookClient({ ...(await transportOf(webhooks.auth, 'webhooks.auth', ferryCaPem, log)), methods: { password: true } });
  return new WebhookPasswords(client);
}
