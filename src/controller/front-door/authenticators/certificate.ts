// Front-door authentication by a client certificate naming a service route
// (spiffe://<td>/service/<agent>/<type>/<name>); CN and O name the person, if any.
import type { PeerCertificate } from 'node:tls';
import { FerryError } from '../../../errors.js';
import type { Identity } from '../../../pki/identity.js';
import type { Authenticator, Caller, FrontDoorRequest } from '../types.js';

export class CertificateAuthenticator implements Authenticator {
  readonly name = 'certificate';

  constructor(private readonly verify: (cert: PeerCertificate) => Identity) {}

  authenticate(req: FrontDoorRequest): Promise<Caller | null> {
    const cert = req.peerCertificate;
    if (!cert?.raw) return Promise.resolve(null);
    const id = this.verify(cert);
    if (id.kind !== 'service') {
      return Promise.reject(new FerryError('FERRY_ERR_FORBIDDEN', `a ${id.kind} certificate does not name a service route`));
    }
    const org = cert.subject?.O;
    const groups = Array.isArray(org) ? org : org ? [org] : [];
    const cn = cert.subject?.CN;
    const subject = typeof cn === 'string' && cn !== '' ? cn : `${id.name}.${id.agent}`;
    return Promise.resolve({ subject, groups, method: 'certificate', route: { agent: id.agent, type: id.type, name: id.name } });
  }
}
