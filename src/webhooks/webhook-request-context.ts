// What a webhook server's callbacks learn about the caller of the webhook (ferry): its
// TLS client certificate when it sent one, and its address.
import type { IncomingMessage } from 'node:http';
import { TLSSocket, type PeerCertificate } from 'node:tls';

export interface WebhookRequestContext {
  /** The client certificate, when the connection is TLS and the client sent one the server trusts. */
  peerCertificate: PeerCertificate | undefined;
  remoteAddress: string | undefined;
  /** The request's path (without the query). */
  path: string;
}

export function contextOf(req: IncomingMessage, path: string): WebhookRequestContext {
  const socket = req.socket;
  let peerCertificate: PeerCertificate | undefined;
  if (socket instanceof TLSSocket && socket.authorized) {
    const cert = socket.getPeerCertificate();
    if (cert.raw !== undefined) peerCertificate = cert;
  }
  return { peerCertificate, remoteAddress: socket.remoteAddress, path };
}

/** The path of a request URL, without its query. */
export function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}
