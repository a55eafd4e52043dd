// Asks the auth webhook about a credential: `/password`, ferry's `/token` and
// `/certificate`, then `/authz`. A method switched off never calls the webhook; answers
// are cached per credential (by digest) for cacheTtlMs; a refusal is 200 + success:false.
import { randomBytes, X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import { AnswerCache } from './answer-cache.js';
import { AUTH_ANSWER_FIELDS, authAnswerSchema, type AuthEndpoint, type CertificateIdentity, type DecodedAuthAnswer } from './auth-schemas.js';
import { decodeWith } from './decode-answer.js';
import { UnknownFieldWarnings } from './unknown-fields.js';
import { WebhookMetadata } from './webhook-metadata.js';
import { WebhookTransport, type WebhookTransportOptions } from './webhook-transport.js';

export type AuthWebhookMethod = Exclude<AuthEndpoint, 'pubkey'>;

export interface AuthWebhookClientOptions extends WebhookTransportOptions {
  /** Which endpoints may be called; all on by default. One switched off is never called. */
  methods?: Partial<Record<AuthWebhookMethod, boolean>>;
  /** How long an answer is reused for the same credential; 0 = never. Default 10 s. */
  cacheTtlMs?: number;
}

/** What the webhook is told about the connection besides the credential. */
export interface ConnectionInfo {
  /** `ip:port`. */
  remoteAddress: string;
  /** Opaque; one is made up when unset. */
  connectionId?: string;
  /** The client's User-Agent. */
  clientVersion?: string;
  /** What earlier webhooks answered: only the non-sensitive entries are sent. */
  metadata?: WebhookMetadata;
}

export interface AuthOutcome {
  success: boolean;
  /** The name the webhook verified, else the name asked about ('' for a token nobody named). */
  authenticatedUsername: string;
  /** Earlier metadata merged with this answer's (sensitive entries applied, kept private). */
  metadata: WebhookMetadata;
}

const noLog: LogFn = () => undefined;

export class AuthWebhookClient {
  readonly #transport: WebhookTransport;
  readonly #methods: Partial<Record<AuthWebhookMethod, boolean>>;
  readonly #cache: AnswerCache<AuthOutcome>;
  readonly #unknown: UnknownFieldWarnings;
  readonly #log: LogFn;

  constructor(options: AuthWebhookClientOptions) {
    this.#transport = new WebhookTransport(options);
    this.#methods = options.methods ?? {};
    this.#cache = new AnswerCache(options.cacheTtlMs ?? 10_000);
    this.#log = options.log ?? noLog;
    this.#unknown = new UnknownFieldWarnings(this.#log);
  }

  enabled(method: AuthWebhookMethod): boolean {
    return this.#methods[method] !== false;
  }

  /** `POST {base}/password`. The password is sent base64-encoded and never logged. */
  async password(username: string, password: string | Buffer, conn: ConnectionInfo): Promise<AuthOutcome> {
    this.#assertOn('password');
    const secret = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
    const key = AnswerCache.keyOf('password', username, secret.toString('base64'));
    return this.#ask('password', key, username, conn, { passwordBase64: secret.toString('base64') });
  }

  /** `POST {base}/token` (ferry's own): a bearer token that is not a ferry JWT. */
  async token(token: string, conn: ConnectionInfo): Promise<AuthOutcome> {
    this.#assertOn('token');
    return this.#ask('token', AnswerCache.keyOf('token', token), '', conn, { token });
  }

  /** `POST {base}/certificate` (ferry's own): a client certificate's identity, itself and its public key. */
  async certificate(cert: X509Certificate | string | Buffer, conn: ConnectionInfo): Promise<AuthOutcome> {
    this.#assertOn('certificate');
    const x509 = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
    const identity = identityOf(x509);
    const body = { identity, certificatePem: x509.toString(), publicKeyPem: x509.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    return this.#ask('certificate', AnswerCache.keyOf('certificate', x509.fingerprint256), identity.commonName, conn, body);
  }

  /** `POST {base}/authz`: may this (already authenticated) caller go on? */
  async authz(username: string, authenticatedUsername: string, conn: ConnectionInfo): Promise<AuthOutcome> {
    this.#assertOn('authz');
    const sent = conn.metadata?.forWebhook() ?? {};
    const key = AnswerCache.keyOf('authz', username, authenticatedUsername, JSON.stringify(sent));
    return this.#ask('authz', key, username, conn, { authenticatedUsername });
  }

  async close(): Promise<void> {
    this.#cache.clear();
    await this.#transport.close();
  }

  #assertOn(method: AuthWebhookMethod): void {
    if (!this.enabled(method)) throw new FerryError('FERRY_ERR_UNAUTHENTICATED', `${method} authentication by webhook is switched off`);
  }

  async #ask(endpoint: AuthWebhookMethod, key: string, username: string, conn: ConnectionInfo, credential: Record<string, unknown>): Promise<AuthOutcome> {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const earlier = conn.metadata ?? new WebhookMetadata();
    const body = {
      username,
      remoteAddress: conn.remoteAddress,
      connectionId: conn.connectionId ?? randomBytes(16).toString('hex'),
      clientVersion: conn.clientVersion ?? '',
      ...credential,
      metadata: earlier.forWebhook(),
      environment: {},
      files: {},
    };
    const what = `auth webhook /${endpoint}`;
    const answer = await this.#transport.post(endpoint, body, what, (obj): DecodedAuthAnswer => decodeWith(authAnswerSchema, obj, 'an auth answer'));
    this.#unknown.check(endpoint, answer, AUTH_ANSWER_FIELDS);
    const outcome: AuthOutcome = {
      success: answer.success,
      authenticatedUsername: answer.authenticatedUsername ?? username,
      metadata: earlier.merge(answer.metadata),
    };
    // Logged: who and the verdict; the metadata's JSON form leaves sensitive values out.
    this.#log('debug', 'auth webhook answered', { endpoint, username, success: outcome.success, metadata: outcome.metadata });
    this.#cache.set(key, outcome);
    return outcome;
  }
}

function identityOf(x509: X509Certificate): CertificateIdentity {
  const subject = x509.subject;
  const field = (name: string) => subject.split('\n').filter((line) => line.startsWith(`${name}=`)).map((line) => line.slice(name.length + 1));
  const sans = (x509.subjectAltName ?? '').split(', ').filter((s) => s !== '');
  return {
    subject,
    commonName: field('CN')[0] ?? '',
    organizations: field('O'),
    uris: sans.filter((s) => s.startsWith('URI:')).map((s) => s.slice(4)),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    serialNumber: x509.serialNumber.toLowerCase(),
    fingerprint256: x509.fingerprint256,
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
  };
}
