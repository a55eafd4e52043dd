// Service types the control API hands out credentials for: birger's registry, the
// docker registry, and custom `x-…` types (plain HTTP proxy).
import { FerryError } from '../../errors.js';

export const KNOWN_SERVICE_TYPES = ['kubernetes', 'jenkins', 'argocd', 'aws', 'clouddriver', 'front50', 'fiat', 'docker-registry'] as const;

export function assertKnownServiceType(type: string): void {
  if ((KNOWN_SERVICE_TYPES as readonly string[]).includes(type) || type.startsWith('x-')) return;
  throw new FerryError(
    'FERRY_ERR_BAD_INPUT',
    `unknown service type "${type}": use one of ${KNOWN_SERVICE_TYPES.join(', ')} or a custom x-… type`,
  );
}
