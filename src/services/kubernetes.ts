// The Kubernetes API. The agent's credential is its in-cluster service account
// (projected token + CA + KUBERNETES_SERVICE_HOST/PORT) or a kubeconfig (token, token
// file, client certificate, exec plugin, basic). Both are watched: a rotated token or
// an edited kubeconfig takes effect without a restart. With `impersonate: true` the
// caller's identity the controller authenticated becomes Impersonate-User/-Group, so
// cluster RBAC applies per person; a client's own Impersonate-* never gets this far
// (upstreamHeaders drops it).
import { FerryError } from '../errors.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceRequest, UpstreamHeader } from './agent-service.js';
import { SecretValue } from './credentials.js';
import { CredentialService } from './custom.js';
import { HttpTarget, type UpstreamTlsOptions } from './http-proxy.js';
import { ExecCredentialCache } from './kube-exec.js';
import { readKubeTarget, type KubeTarget } from './kubeconfig.js';
import { BaseService, type ServiceContext } from './service-base.js';

const EXEC_RETRY_MS = 10_000;

/** The API server address a pod sees (IPv6 hosts in brackets). */
export function inClusterUrl(env: NodeJS.ProcessEnv): string | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (!host) return undefined;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function impersonationHeaders(req: ServiceRequest): UpstreamHeader[] {
  if (!req.caller) return [];
  const out: UpstreamHeader[] = [{ name: 'Impersonate-User', value: req.caller.subject }];
  for (const g of req.caller.groups) out.push({ name: 'Impersonate-Group', value: g });
  return out;
}

/** `url` plus a `credential` of any kind, no kubeconfig: a plain proxy that probes /readyz. */
export class KubernetesUrlService extends CredentialService {
  protected override defaultHealthPath(): string {
    return '/readyz';
  }
}

export class KubernetesService extends BaseService {
  private target: HttpTarget | undefined;
  private readonly impersonate: boolean;
  private readonly saToken: SecretValue | undefined;
  private readonly caFile: SecretValue | undefined;
  private readonly kubeconfigFile: SecretValue | undefined;
  private readonly inClusterServer: string | undefined;
  private kube: KubeTarget | undefined;
  private kubeProblem: string | undefined;
  private fileToken: SecretValue | undefined;
  private exec: ExecCredentialCache | undefined;
  private execRetry: NodeJS.Timeout | undefined;
  private targetKey = '';
  private rebuilding: Promise<void> = Promise.resolve();

  constructor(
    cfg: ServiceConfig,
    ctx: ServiceContext,
    private readonly tls: UpstreamTlsOptions,
  ) {
    super(cfg, ctx);
    const k = cfg.kubernetes!;
    this.impersonate = k.impersonate;
    const label = `kubernetes/${cfg.name}`;
    if (k.inCluster) {
      this.inClusterServer = cfg.url ?? inClusterUrl(ctx.env);
      if (!this.inClusterServer) {
        throw new FerryError('FERRY_ERR_BAD_CONFIG', `service ${label}: inCluster needs KUBERNETES_SERVICE_HOST (not running in a pod?) or a url`);
      }
      this.saToken = new SecretValue({ file: k.inCluster.tokenFile }, { ...this.secretOptions(), label: `${label} service-account token` });
      this.caFile = new SecretValue({ file: k.inCluster.caFile }, { ...this.secretOptions(), label: `${label} cluster CA`, trim: false });
      this.secrets.push(this.saToken, this.caFile);
    } else {
      this.kubeconfigFile = new SecretValue({ file: k.kubeconfig!.file }, { ...this.secretOptions(), label: `${label} kubeconfig`, trim: false });
      this.secrets.push(this.kubeconfigFile);
    }
  }

  protected currentTarget(): HttpTarget | undefined {
    return this.target;
  }

  protected override afterFirstRead(): Promise<void> {
    return this.rebuild();
  }

  protected override credentialChanged(): void {
    void this.rebuild().then(() => super.credentialChanged());
  }

  /** Re-derive the target and credential from what the watched files hold now. Serialised. */
  private rebuild(): Promise<void> {
    this.rebuilding = this.rebuilding.then(() => (this.caFile ? this.rebuildInCluster() : this.rebuildFromKubeconfig()));
    return this.rebuilding;
  }

  private rebuildInCluster(): Promise<void> {
    if (this.caFile!.problem === undefined) this.setTarget(this.inClusterServer!, { ...this.tls, ca: this.tls.ca ?? this.caFile!.get() });
    return Promise.resolve();
  }

  private async rebuildFromKubeconfig(): Promise<void> {
    const file = this.kubeconfigFile!;
    if (file.problem !== undefined) return;
    let kube: KubeTarget;
    try {
      kube = await readKubeTarget(file.get(), file.path!, this.cfg.kubernetes!.kubeconfig!.context);
    } catch (err) {
      this.kubeProblem = err instanceof FerryError ? err.message : 'kubeconfig unreadable';
      return;
    }
    this.kubeProblem = undefined;
    const before = this.kube;
    this.kube = kube;
    this.setTarget(this.cfg.url ?? kube.server, {
      ca: this.tls.ca ?? kube.ca,
      serverName: this.tls.serverName ?? kube.serverName,
      insecure: this.tls.insecure || kube.insecure,
      cert: this.tls.cert ?? kube.cert,
      key: this.tls.key ?? kube.key,
    });
    if (kube.tokenFile !== before?.tokenFile) {
      this.fileToken?.close();
      this.fileToken = undefined;
      if (kube.tokenFile) {
        this.fileToken = new SecretValue({ file: kube.tokenFile }, { ...this.secretOptions(), label: `kubernetes/${this.name} kubeconfig tokenFile` });
        await this.fileToken.start();
      }
    }
    if (JSON.stringify(kube.exec) !== JSON.stringify(before?.exec)) {
      this.exec = kube.exec ? new ExecCredentialCache(kube.exec, kube.dir, this.ctx.env) : undefined;
      if (this.exec) await this.runExec().catch(() => undefined);
    }
  }

  private setTarget(url: string, tls: UpstreamTlsOptions): void {
    const key = JSON.stringify([url, tls]);
    if (key === this.targetKey && this.target) return;
    this.targetKey = key;
    const old = this.target;
    try {
      this.target = new HttpTarget({ type: this.type, name: this.name, url, tls });
      this.kubeProblem = undefined;
    } catch (err) {
      this.target = undefined;
      this.kubeProblem = err instanceof FerryError ? err.message : 'unusable server address';
    }
    // In-flight requests (watches) on the old target finish on their own.
    void old?.close().catch(() => undefined);
  }

  /** Runs (or reuses) the exec plugin; a failure is retried in the background. */
  private async runExec(): Promise<void> {
    const exec = this.exec!;
    try {
      const r = await exec.get();
      if (r.cert && r.key) this.target?.setClientIdentity({ cert: r.cert, key: r.key });
    } catch (err) {
      this.healthMaybeChanged();
      clearTimeout(this.execRetry);
      this.execRetry = setTimeout(() => void this.runExec().then(() => this.healthMaybeChanged(), () => undefined), EXEC_RETRY_MS);
      this.execRetry.unref();
      throw err;
    }
  }

  protected credentialProblem(): string | undefined {
    for (const s of [this.saToken, this.caFile, this.kubeconfigFile, this.fileToken]) if (s?.problem !== undefined) return s.problem;
    return this.kubeProblem ?? this.exec?.problem ?? (this.target ? undefined : 'no upstream yet');
  }

  protected async credentialHeaders(req: ServiceRequest): Promise<UpstreamHeader[]> {
    const out: UpstreamHeader[] = [];
    const bearer = (token: string) => out.push({ name: 'authorization', value: `Bearer ${token}` });
    if (this.saToken) bearer(this.saToken.get());
    else if (this.exec) {
      try {
        await this.runExec();
      } catch {
        throw new FerryError('FERRY_ERR_UNAVAILABLE', `service ${this.key} is unavailable: ${this.exec.problem ?? 'exec plugin failed'}`);
      }
      const r = await this.exec.get();
      if (r.token) bearer(r.token);
    } else if (this.fileToken) bearer(this.fileToken.get());
    else if (this.kube?.token) bearer(this.kube.token);
    else if (this.kube?.username !== undefined && this.kube.password !== undefined) {
      out.push({ name: 'authorization', value: `Basic ${Buffer.from(`${this.kube.username}:${this.kube.password}`).toString('base64')}` });
    }
    if (this.impersonate) out.push(...impersonationHeaders(req));
    return out;
  }

  protected defaultHealthPath(): string {
    return '/readyz';
  }

  protected presentsCredential(): boolean {
    return true;
  }

  override async reload(): Promise<void> {
    this.exec?.invalidate();
    await super.reload();
    await this.rebuild();
    if (this.exec) await this.runExec().catch(() => undefined);
  }

  protected override async closeTargets(): Promise<void> {
    clearTimeout(this.execRetry);
    this.fileToken?.close();
    await this.target?.close();
  }
}
