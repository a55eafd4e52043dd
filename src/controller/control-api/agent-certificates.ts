// Signing an agent's own CSR, at bootstrap and at renewal: the identity is fixed by
// the caller (token or current certificate), never taken from the CSR.
import type { CertificateAuthority } from '../../pki/index.js';

export interface AgentCertificate {
  certPem: string;
  serial: string;
  notAfter: Date;
}

export async function signAgentCertificate(ca: CertificateAuthority, agent: string, csrPem: string, ttlSeconds: number): Promise<AgentCertificate> {
  const notAfter = new Date(Date.now() + ttlSeconds * 1000);
  const { certPem, serial } = await ca.signCsr(csrPem, { kind: 'agent', agent }, { notAfter });
  return { certPem, serial, notAfter };
}
