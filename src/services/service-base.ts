// What every service type shares: watched credentials, a health probe, health-change
// listeners, and the rule that a service whose credential is missing answers 503 with
// the reason (never the value) while the agent keeps running.
import { request } from 'undici';
import { FerryError } from '../errors.js';
import type { HealthConfig, ServiceConfig } from './service-config.js';
import type { LogFn } from '../observability/log-fn.js';
import type { AgentService, PreparedRequest, ServiceHealth, ServiceRequest, UpstreamHeader } from './agent-service.js';
import type { SecretOptions } from './credential-kinds.js';
import type { SecretValue } from './credentials.js';
import { HealthProbe } from './health-probe.js';
import type { HttpTarget } from './http-proxy.js';

export interface ServiceContext {
  /** This agent's name (from its certificate). */
  agentName: string;
  log: LogFn;
  env: NodeJS.ProcessEnv;
  /** How often watched credential files are stat'ed, in ms. */
  pollMs: number;
  /** Health probes on (off for `--check-config`). */
  probes: boolean;
}

export function flatHeaders(list: readonly UpstreamHeader[]): string[] {
  const flat: string[] = [];
  for (const h of list) flat.push(h.name, h.value);
  return flat;
}

export abstract class BaseService implements AgentService {
  readonly type: string;
  readonly name: string;
  readonly annotations: Record<string, string>;
  protected readonly secrets: SecretValue[] = [];
  private probe: HealthProbe | undefined;
  private readonly listeners: (() => void)[] = [];
  private last: ServiceHealth = { healthy: true, reason: '' };
  private closed = false;

  constructor(
    protected readonly cfg: ServiceConfig,
    protected readonly ctx: ServiceContext,
  ) {
    this.type = cfg.type;
    this.name = cfg.name;
    this.annotations = cfg.annotations;
  }

  get key(): string {
    return `${this.type}/${this.name}`;
  }

  /** The upstream target; undefined while a kubeconfig cannot be read. */
  protected abstract currentTarget(): HttpTarget | undefined;
  /** Why the credential cannot be used now, or undefined. */
  protected abstract credentialProblem(): string | undefined;
  /** Headers this type adds (credential, impersonation, …) to the cleaned client headers. */
  protected abstract credentialHeaders(req: ServiceRequest): Promise<UpstreamHeader[]>;
  /** The probe path when the config names none; undefined: no probe unless configured. */
  protected abstract defaultHealthPath(): string | undefined;
  /** Whether a 401/403 to the probe means the agent's own credential was refused. */
  protected abstract presentsCredential(): boolean;

  protected secretOptions(): SecretOptions {
    return { env: this.ctx.env, pollMs: this.ctx.pollMs, onChange: () => this.credentialChanged() };
  }

  /** A watched secret changed: subclasses refresh what depends on it, then call this. */
  protected credentialChanged(): void {
    if (this.closed) return;
    this.healthMaybeChanged();
    // Check the upstream with the new credential at once rather than at the next tick.
    if (this.probe && this.credentialProblem() === undefined) void this.probe.tick();
  }

  /** Reads the credentials and starts the probe; never throws for a missing credential. */
  async start(): Promise<void> {
    await Promise.all(this.secrets.map((s) => s.start()));
    await this.afterFirstRead();
    this.last = this.health();
    if (!this.last.healthy) this.ctx.log('warn', 'service unhealthy', { service: this.key, reason: this.last.reason });
    const h: HealthConfig = this.cfg.health;
    const path = h.path ?? this.defaultHealthPath();
    if (!this.ctx.probes || !h.enabled || path === undefined || this.closed) return;
    this.probe = new HealthProbe({
      path,
      intervalMs: h.interval * 1000,
      timeoutMs: h.timeout * 1000,
      failures: h.failures,
      credentialed: this.presentsCredential(),
      run: (p, signal) => this.probeOnce(p, signal),
      onChange: () => this.healthMaybeChanged(),
    });
    this.probe.start();
  }

  /** Hook for types that derive state from their secrets (client certificates, kubeconfig). */
  protected afterFirstRead(): Promise<void> {
    return Promise.resolve();
  }

  health(): ServiceHealth {
    const problem = this.credentialProblem();
    if (problem !== undefined) return { healthy: false, reason: problem };
    return this.probe?.health ?? { healthy: true, reason: '' };
  }

  onHealthChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  protected healthMaybeChanged(): void {
    const now = this.health();
    if (now.healthy === this.last.healthy && now.reason === this.last.reason) return;
    const was = this.last;
    this.last = now;
    if (!now.healthy) this.ctx.log('warn', 'service unhealthy', { service: this.key, reason: now.reason });
    else if (!was.healthy) this.ctx.log('info', 'service healthy again', { service: this.key });
    for (const l of this.listeners) l();
  }

  async prepare(req: ServiceRequest): Promise<PreparedRequest> {
    const problem = this.credentialProblem();
    const target = this.currentTarget();
    if (problem !== undefined || !target) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `service ${this.key} is unavailable: ${problem ?? 'no upstream'}`);
    }
    return target.prepared(req, await this.credentialHeaders(req));
  }

  private async probeOnce(path: string, signal: AbortSignal): Promise<number> {
    if (this.credentialProblem() !== undefined) throw new Error('credential unavailable');
    const p = await this.prepare({
      method: 'GET',
      path,
      headers: [
        { name: 'accept', value: 'application/json, */*' },
        { name: 'user-agent', value: `ferry-agent/${this.ctx.agentName} (health)` },
      ],
      caller: undefined,
      upgrade: false,
    });
    const res = await request(p.url, { method: 'GET', headers: flatHeaders(p.headers), dispatcher: p.dispatcher, signal });
    await res.body.dump();
    return res.statusCode;
  }

  async reload(): Promise<void> {
    await Promise.all(this.secrets.map((s) => s.reload()));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.probe?.stop();
    for (const s of this.secrets) s.close();
    await this.closeTargets();
  }

  protected async closeTargets(): Promise<void> {
    await this.currentTarget()?.close();
  }
}
