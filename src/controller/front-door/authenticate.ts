// The pipeline's first step: authenticators are plug-ins tried in order (embedders' own,
// then certificate, then ferry JWT; later OIDC, webhooks): the first one that recognises
// a credential decides; a recognised but bad credential is refused at once (401).
import { FerryError } from '../../errors.js';
import type { Authenticator, Caller, FrontDoorRequest } from './types.js';

export async function authenticateRequest(authenticators: readonly Authenticator[], req: FrontDoorRequest): Promise<Caller> {
  for (const a of authenticators) {
    const caller = await a.authenticate(req);
    if (caller) return caller;
  }
  throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'no credentials: send a client certificate or a ferry token');
}
