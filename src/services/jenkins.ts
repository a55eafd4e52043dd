// Jenkins: Basic with a user and its API token (requests with an API token need no
// CSRF crumb). The probe reads /api/json, which needs the credential to be accepted.
import { CredentialService } from './custom.js';

export class JenkinsService extends CredentialService {
  protected override defaultHealthPath(): string {
    return '/api/json';
  }
}
