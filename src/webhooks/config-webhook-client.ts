// Asks the config webhook for a caller's partial configuration. Only the per-caller
// sections (callerConfigSections) are accepted; an answer naming another section is
// refused whole with the reason logged. Answers are cached per caller for cacheTtlMs.
import { randomBytes } from 'node:crypto';
import { FerryError } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import { AnswerCache } from './answer-cache.js';
import { CALLER_CONFIG_SECTIONS, callerConfigSchema, CONFIG_ANSWER_FIELDS, configAnswerSchema, type CallerConfig } from './config-schemas.js';
import { decodeWith } from './decode-answer.js';
import { UnknownFieldWarnings } from './unknown-fields.js';
import type { ConnectionInfo } from './auth-webhook-client.js';
import { WebhookTransport, type WebhookTransportOptions } from './webhook-transport.js';

export interface ConfigWebhookClientOptions extends WebhookTransportOptions {
  /** Off: get() answers {} without calling. Default true. */
  enabled?: boolean;
  /** Default 10 s; 0 = never reuse. */
  cacheTtlMs?: number;
}

const noLog: LogFn = () => undefined;
const ALLOWED: ReadonlySet<string> = new Set(CALLER_CONFIG_SECTIONS);

export class ConfigWebhookClient {
  readonly #transport: WebhookTransport;
  readonly #enabled: boolean;
  readonly #cache: AnswerCache<CallerConfig>;
  readonly #unknown: UnknownFieldWarnings;
  readonly #log: LogFn;

  constructor(options: ConfigWebhookClientOptions) {
    this.#transport = new WebhookTransport(options);
    this.#enabled = options.enabled !== false;
    this.#cache = new AnswerCache(options.cacheTtlMs ?? 10_000);
    this.#log = options.log ?? noLog;
    this.#unknown = new UnknownFieldWarnings(this.#log);
  }

  /** The caller's partial config; throws FERRY_ERR_FORBIDDEN when the answer holds a section that may not vary by caller. */
  async get(username: string, authenticatedUsername: string, conn: ConnectionInfo): Promise<CallerConfig> {
    if (!this.#enabled) return {};
    const sent = conn.metadata?.forWebhook() ?? {};
    const key = AnswerCache.keyOf('config', username, authenticatedUsername, JSON.stringify(sent));
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const body = {
      username,
      authenticatedUsername,
      remoteAddress: conn.remoteAddress,
      connectionId: conn.connectionId ?? randomBytes(16).toString('hex'),
      clientVersion: conn.clientVersion ?? '',
      metadata: sent,
      environment: {},
      files: {},
    };
    const answer = await this.#transport.post(undefined, body, 'config webhook', (obj) => decodeWith(configAnswerSchema, obj, 'a config answer'));
    this.#unknown.check('config', answer, CONFIG_ANSWER_FIELDS);
    const refused = Object.keys(answer.config).filter((section) => !ALLOWED.has(section));
    if (refused.length > 0) {
      const reason = `config webhook answered section${refused.length > 1 ? 's' : ''} ${refused.map((s) => `"${s}"`).join(', ')} that may not vary by caller (allowed: ${CALLER_CONFIG_SECTIONS.join(', ')})`;
      this.#log('warn', 'config webhook answer refused', { username, reason });
      throw new FerryError('FERRY_ERR_FORBIDDEN', reason);
    }
    const parsed = callerConfigSchema.safeParse(answer.config);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const reason = `config webhook answer refused: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`;
      this.#log('warn', 'config webhook answer refused', { username, reason });
      throw new FerryError('FERRY_ERR_FORBIDDEN', reason);
    }
    for (const section of CALLER_CONFIG_SECTIONS) {
      const value: unknown = answer.config[section];
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) this.#unknown.check(`config.${section}`, value, knownKeysOf(section));
    }
    this.#cache.set(key, parsed.data);
    return parsed.data;
  }

  async close(): Promise<void> {
    this.#cache.clear();
    await this.#transport.close();
  }
}

const KNOWN: Record<string, ReadonlySet<string>> = {
  impersonation: new Set(['user', 'groups']),
  rateLimits: new Set(['requestsPerSecond', 'burst']),
  streamLimits: new Set(['maxConcurrentStreams']),
};

function knownKeysOf(section: string): ReadonlySet<string> {
  return KNOWN[section] ?? new Set();
}
