// ArgoCD: Bearer with an ArgoCD account token; argocd-server answers /healthz.
import { CredentialService } from './custom.js';

export class ArgoCdService extends CredentialService {
  protected override defaultHealthPath(): string {
    return '/healthz';
  }
}
