// The controller's `webhooks.auth`: one webhook client, seen by the front door twice — as
// an authenticator (Basic password → /password, a bearer token that is not ferry's →
// /token) and as an authoriser (/authz: may this person use this route).
import { readFile } from 'node:fs/promises';
import type { WebhooksConfig } from '../../config/webhooks-config.js';
import { FerryError, messageOf } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import { AuthWebhookClient, WebhookAuthenticator, WebhookAuthoriser } from '../../webhooks/index.js';
import type { Authenticator, Authoriser } from './types.js';

export interface WebhookSeams {
  authenticators: Authenticator[];
  authorisers: Authoriser[];
  close(): Promise<void>;
}

const NONE: WebhookSeams = { authenticators: [], authorisers: [], close: () => Promise.resolve() };

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `webhooks.auth.${what}: cannot read ${file}: ${messageOf(err)}`);
  }
}

export async function webhookSeams(config: WebhooksConfig | undefined, ferryCaPem: string, log: LogFn): Promise<WebhookSeams> {
  const auth = config?.auth;
  if (!auth) return NONE;
  if ((auth.cert === undefined) !== (auth.key === undefined)) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', 'webhooks.auth: give both cert and key (mutual TLS), or neither');
  }
  const client = new AuthWebhookClient({
    url: auth.url,
    ca: auth.ca ? await readPem(auth.ca, 'ca') : ferryCaPem,
    cert: auth.cert && (await readPem(auth.cert, 'cert')),
    key: auth.key && (await readPem(auth.key, 'key')),
    methods: auth.methods,
    timeoutMs: auth.timeout * 1000,
    retryIntervalMs: auth.retryInterval * 1000,
    deadlineMs: auth.deadline * 1000,
    cacheTtlMs: auth.cacheTtl * 1000,
    allowPlainHttp: auth.allowPlainHttp,
    log,
  });
  log('info', 'front door: credentials checked by the auth webhook', { url: auth.url, methods: auth.methods });
  return {
    authenticators: [new WebhookAuthenticator(client, { log })],
    authorisers: [new WebhookAuthoriser(client, { log })],
    close: () => client.close(),
  };
}
