// The client certificate a front-door connection presented, read once per connection
// instead of once per request (getPeerCertificate builds a fresh object on every call).
// The front door disables renegotiation, so a connection's certificate cannot change
// after the handshake. Revocation and expiry are still checked on every request.
import type { Http2ServerRequest } from 'node:http2';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { FerryError } from '../../errors.js';
import type { AnyRequest } from './types.js';

// OpenSSL's verdicts on a client certificate, said the way ferry's own checks say them.
const CERT_VERDICTS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  INVALID_PURPOSE: 'wrong purpose: not a client certificate',
};

/** A verified certificate, none, or why the presented one is refused. */
type Verdict = { cert: PeerCertificate } | { refused: string } | 'none';

/** Keyed by the TLS socket (HTTP/1.1) or the h2 session: one entry per connection. */
const verdicts = new WeakMap<object, Verdict>();

function readVerdict(socket: TLSSocket): Verdict {
  const cert = socket.getPeerCertificate(false);
  if (!cert?.raw) return 'none';
  if (socket.authorized) return { cert };
  // Client certificates are optional (tokens are the other way in), so TLS lets an
  // unverifiable one through; a presented credential that fails is refused, never ignored.
  const code = String(socket.authorizationError ?? 'UNKNOWN');
  const verdict = CERT_VERDICTS[code] ?? 'not issued by this CA';
  return { refused: `client certificate refused: ${verdict} (${code})` };
}

/**
 * The verified client certificate of the request's connection, undefined when it sent
 * none; throws FERRY_ERR_CERT when it sent one TLS could not verify.
 */
export function clientCertificateOf(req: AnyRequest): PeerCertificate | undefined {
  // For h2, req.socket is a new proxy per stream; the session is the connection.
  const connection: object | undefined = req.httpVersionMajor === 2 ? (req as Http2ServerRequest).stream.session : req.socket;
  let verdict = connection ? verdicts.get(connection) : undefined;
  if (verdict === undefined) {
    verdict = readVerdict(req.socket as TLSSocket);
    if (connection) verdicts.set(connection, verdict);
  }
  if (verdict === 'none') return undefined;
  if ('refused' in verdict) throw new FerryError('FERRY_ERR_CERT', verdict.refused);
  return verdict.cert;
}
