// Passwords checked by the operator's auth webhook (ContainerSSH's `/password`): the webhook
// may sit inside a private network, reached as an agent route.
import { FerryError } from '../errors.js';
import { groupsOf, type AuthWebhookClient } from '../webhooks/index.js';
import type { PasswordChecker, PasswordIdentity } from './types.js';

export class WebhookPasswords implements PasswordChecker {
  readonly name = 'webhook';

  constructor(private readonly client: AuthWebhookClient) {}

  async check(username: string, password: string, remoteAddress = '0.0.0.0:0'): Promise<PasswordIdentity | null> {
    let outcome;
    try {
      outcome = await this.client.password(username, password, { remoteAddress });
    } catch (err) {
      // The webhook did not answer in time: the backend is down, not the password wrong.
      throw new FerryError('FERRY_ERR_UNAVAILABLE', 'the auth webhook did not answer', { cause: err });
    }
    if (!outcome.success) return null;
    const groups = groupsOf(outcome.metadata);
    return { subject: outcome.authenticatedUsername || username, groups, labels: { group: groups } };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
