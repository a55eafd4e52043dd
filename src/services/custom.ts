// A plain HTTP service with one of the credential kinds (none, basic, bearer, token,
// client certificate). Custom `x-…` types are exactly this; jenkins, argocd and the
// Spinnaker types build on it.
import type { ServiceConfig } from './service-config.js';
import type { ServiceRequest, UpstreamHeader } from './agent-service.js';
import { buildCredential, type ServiceCredential } from './credential-kinds.js';
import { HttpTarget, type UpstreamTlsOptions } from './http-proxy.js';
import { BaseService, type ServiceContext } from './service-base.js';

export class CredentialService extends BaseService {
  protected readonly credential: ServiceCredential;
  private readonly target: HttpTarget;

  constructor(cfg: ServiceConfig, ctx: ServiceContext, tls: UpstreamTlsOptions) {
    super(cfg, ctx);
    this.credential = buildCredential(cfg.credential, `${cfg.type}/${cfg.name}`, this.secretOptions());
    this.secrets.push(...this.credential.secrets);
    this.target = new HttpTarget({ type: cfg.type, name: cfg.name, url: cfg.url!, tls });
  }

  protected currentTarget(): HttpTarget {
    return this.target;
  }

  protected override afterFirstRead(): Promise<void> {
    this.applyClientIdentity();
    return Promise.resolve();
  }

  protected override credentialChanged(): void {
    this.applyClientIdentity();
    super.credentialChanged();
  }

  /** A rotated client certificate is used for new connections. */
  private applyClientIdentity(): void {
    if (this.credential.kind !== 'clientCertificate' || this.credential.problem() !== undefined) return;
    this.target.setClientIdentity(this.credential.clientIdentity());
  }

  protected credentialProblem(): string | undefined {
    return this.credential.problem();
  }

  protected credentialHeaders(_req: ServiceRequest): Promise<UpstreamHeader[]> {
    const auth = this.credential.authorization();
    return Promise.resolve(auth === undefined ? [] : [{ name: 'authorization', value: auth }]);
  }

  protected defaultHealthPath(): string | undefined {
    return '/';
  }

  protected presentsCredential(): boolean {
    return this.credential.kind !== 'none';
  }
}
