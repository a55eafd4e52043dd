// Counts what the controller issues (ferry_certificates_issued_total{kind},
// ferry_tokens_issued_total{purpose}) at the one place every issuer goes through — the
// CA and the token issuer — so no endpoint can forget to count. Labels are closed sets:
// the identity kind (agent, control, service, user, server) and the token purpose.
import type { CertificateAuthority } from '../pki/index.js';
import type { TokenIssuer } from '../tokens/index.js';
import type { FerryMetrics } from '../observability/metrics.js';

export function countIssuance(ca: CertificateAuthority, issuer: TokenIssuer, metrics: FerryMetrics): void {
  const issueServer = ca.issueServer.bind(ca);
  const issueClient = ca.issueClient.bind(ca);
  const signCsr = ca.signCsr.bind(ca);
  const issue = issuer.issue.bind(issuer);
  ca.issueServer = async (...args) => {
    const out = await issueServer(...args);
    metrics.certificatesIssued.inc({ kind: 'server' });
    return out;
  };
  ca.issueClient = async (...args) => {
    const out = await issueClient(...args);
    metrics.certificatesIssued.inc({ kind: args[0].kind });
    return out;
  };
  ca.signCsr = async (...args) => {
    const out = await signCsr(...args);
    metrics.certificatesIssued.inc({ kind: args[1].kind });
    return out;
  };
  issuer.issue = async (...args) => {
    const out = await issue(...args);
    metrics.tokensIssued.inc({ purpose: args[0].purpose });
    return out;
  };
}
