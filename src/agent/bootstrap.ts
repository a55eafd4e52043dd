// An agent that starts with only a bootstrap token: it makes its own key and a CSR,
// gets its certificate from the control API, and later renews it over the control
// stream at 2/3 of its life. The private key never leaves this process's disk.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { FerryError, messageOf } from '../errors.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { LogFn } from '../observability/log-fn.js';
import { ensureWritableDir, SECRET_MODE, writeFilesAtomically } from '../files/atomic-files.js';
import { DEFAULT_TRUST_DOMAIN, identityFromUri } from '../pki/identity.js';
import { readUnverifiedClaims } from '../tokens/unverified-claims.js';

/** The CSR code pulls in @peculiar/x509 (~0.1 s to load): only enrolment and renewal need it. */
const csrModule = () => import('../pki/csr.js');

const BOOTSTRAP_PATH = '/api/v1/agents/bootstrap';

export interface AgentCertFiles {
  cert: string;
  key: string;
  ca: string;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read the ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? messageOf(err)})`);
  }
}

/** The trust domain the CA records in its URI SAN (spiffe://<td>); ferry.local otherwise. */
export function trustDomainOfCa(caPem: string): string {
  const san = new X509Certificate(caPem).subjectAltName ?? '';
  const uri = san.split(', ').find((p) => p.startsWith('URI:spiffe://'));
  return uri ? uri.slice('URI:spiffe://'.length).split('/')[0] ?? DEFAULT_TRUST_DOMAIN : DEFAULT_TRUST_DOMAIN;
}

function agentOfCertificate(certPem: string): string | undefined {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  for (const part of san.split(', ')) {
    if (!part.startsWith('URI:')) continue;
    const { identity } = identityFromUri(part.slice(4));
    if (identity.kind === 'agent') return identity.agent;
  }
  return undefined;
}

/** A certificate already in certDir that is still good: no need to spend the token. */
async function usableExisting(files: AgentCertFiles): Promise<boolean> {
  try {
    const [cert] = await Promise.all([readFile(files.cert, 'utf8'), stat(files.key), stat(files.ca)]);
    return Date.parse(new X509Certificate(cert).validTo) > Date.now();
  } catch {
    return false;
  }
}

function agentNameFromToken(token: string): string {
  const { agent } = readUnverifiedClaims(token, 'FERRY_ERR_BAD_CONFIG', 'the bootstrap token is not a JWT');
  if (typeof agent !== 'string' || agent === '') throw new FerryError('FERRY_ERR_BAD_CONFIG', 'the bootstrap token names no agent');
  return agent;
}

interface BootstrapAnswer {
  certificate?: string;
  caCert?: string;
  error?: { code?: string; message?: string };
}

function postCsr(controlUrl: string, caPem: string, token: string, csrPem: string): Promise<{ status: number; body: BootstrapAnswer }> {
  const url = new URL(BOOTSTRAP_PATH, controlUrl);
  const payload = JSON.stringify({ csr: csrPem });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: caPem,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as BootstrapAnswer });
          } catch {
            reject(new FerryError('FERRY_ERR_UPSTREAM', `control API answered ${res.statusCode ?? 0} with a body that is not JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(new FerryError('FERRY_ERR_IO', `cannot reach the control API at ${url.origin}: ${err.message}`)));
    req.end(payload);
  });
}

/**
 * Makes sure certDir holds a usable agent certificate: if not, enrols with the bootstrap
 * token (spent by this call).
 */
export async function ensureEnrolled(config: AgentConfig, log: LogFn): Promise<void> {
  const boot = config.bootstrap;
  if (!boot) return;
  if (await usableExisting(config.tls)) {
    log('info', 'agent certificate found; bootstrap token not needed', { certDir: config.certDir });
    return;
  }
  const token = (boot.token ?? (await readText(boot.tokenFile ?? '', 'bootstrap token file'))).trim();
  const agent = agentNameFromToken(token);
  if (config.name && config.name !== agent) {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${config.file}: name "${config.name}" differs from the bootstrap token's agent "${agent}"`);
  }
  const caPem = await readText(boot.caFile, 'bootstrap CA file');
  const { csrPem, keyPem } = await (await csrModule()).createCsr({ kind: 'agent', agent }, trustDomainOfCa(caPem));
  const { status, body } = await postCsr(boot.controlUrl, caPem, token, csrPem);
  if (status !== 200 || !body.certificate) {
    throw new FerryError('FERRY_ERR_FORBIDDEN', `enrolment refused (${status} ${body.error?.code ?? ''}): ${body.error?.message ?? 'no reason given'}`);
  }
  await ensureWritableDir(config.certDir);
  await writeFilesAtomically([
    { path: config.tls.key, data: keyPem, mode: SECRET_MODE },
    { path: config.tls.cert, data: body.certificate, mode: SECRET_MODE },
    { path: config.tls.ca, data: body.caCert ?? caPem, mode: SECRET_MODE },
  ]);
  log('info', 'agent enrolled', { agent, certDir: config.certDir, notAfter: new X509Certificate(body.certificate).validTo });
}

export interface RenewalOptions {
  agent: string;
  files: AgentCertFiles;
  /** Sends a CSR over the control stream; resolves with the new certificate. */
  renew: (csrPem: string) => Promise<string>;
  log: LogFn;
  /** Share of the certificate's life after which it is renewed (default 2/3). */
  at?: number;
}

/** When to renew: at `at` of the life counted from when we got the certificate (it is backdated). */
export function renewalDelayMs(certPem: string, obtainedAtMs: number, at = 2 / 3, now = Date.now()): number {
  const cert = new X509Certificate(certPem);
  const start = Math.max(Date.parse(cert.validFrom), obtainedAtMs);
  const end = Date.parse(cert.validTo);
  return Math.max(0, start + (end - start) * at - now);
}

/** Renews the agent certificate for as long as the agent runs. */
export class CertificateRenewer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly opts: RenewalOptions) {}

  async start(): Promise<void> {
    const certPem = await readText(this.opts.files.cert, 'agent certificate');
    const obtained = (await stat(this.opts.files.cert)).mtimeMs;
    this.#schedule(renewalDelayMs(certPem, obtained, this.opts.at));
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#renewOnce(), ms);
    this.#timer.unref();
  }

  async #renewOnce(): Promise<void> {
    const { files, agent, log } = this.opts;
    try {
      const caPem = await readText(files.ca, 'CA certificate');
      // A fresh key each time: a key that leaked stops working with the old certificate.
      const { csrPem, keyPem } = await (await csrModule()).createCsr({ kind: 'agent', agent }, trustDomainOfCa(caPem));
      const certPem = await this.opts.renew(csrPem);
      if (agentOfCertificate(certPem) !== agent) throw new FerryError('FERRY_ERR_CERT', 'the renewed certificate names another agent');
      if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) {
        throw new FerryError('FERRY_ERR_CERT', 'the renewed certificate is not for the key we sent');
      }
      await writeFilesAtomically([
        { path: files.key, data: keyPem, mode: SECRET_MODE },
        { path: files.cert, data: certPem, mode: SECRET_MODE },
      ]);
      const cert = new X509Certificate(certPem);
      log('info', 'agent certificate renewed', { agent, serial: cert.serialNumber.toLowerCase(), notAfter: cert.validTo });
      this.#schedule(renewalDelayMs(certPem, Date.now(), this.opts.at));
    } catch (err) {
      const left = await this.#msLeft();
      // Retry well before the end, but do not hammer a controller that refuses.
      const retry = Math.min(30_000, Math.max(1_000, left / 10));
      log('warn', 'agent certificate renewal failed; will retry', { reason: messageOf(err), retryInMs: Math.round(retry) });
      this.#schedule(retry);
    }
  }

  async #msLeft(): Promise<number> {
    try {
      return Date.parse(new X509Certificate(await readFile(this.opts.files.cert, 'utf8')).validTo) - Date.now();
    } catch {
      return 0;
    }
  }
}
