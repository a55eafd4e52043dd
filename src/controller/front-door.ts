// How a front-door request enters the tunnel: its request head, and its hooks into the
// agent session and the metrics. The server and the pipeline are in front-door/.
import { randomUUID } from 'node:crypto';
import { cleanHeaders, fromRawHeaders } from '../tunnel/headers.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import type { RequestHead } from '../tunnel/types.js';
import type { AgentSession } from './agent-session.js';
import type { Authenticated } from './front-door/types.js';
import type { FrontDoorOptions } from './front-door/server.js';
import type { AnyRequest, ProxyHooks } from './proxy-request.js';

function buildHead(req: AnyRequest, auth: Authenticated): RequestHead {
  // Client credentials stop here too (the agent strips them again): the ferry JWT never leaves the controller.
  const headers = cleanHeaders(fromRawHeaders(req.rawHeaders), { keepUpgrade: true, dropClientAuth: true });
  const authority = req.headers[':authority'];
  if (req.headers.host === undefined && typeof authority === 'string') headers.push({ name: 'host', value: authority });
  return {
    method: req.method,
    path: req.url,
    headers,
    serviceType: auth.route.type,
    serviceName: auth.route.name,
    caller: auth.caller,
    requestId: randomUUID(),
    remoteAddress: req.socket.remoteAddress ?? '',
    scheme: 'https',
  };
}

/**
 * One request's link to its agent session and the metrics. An object rather than a set of
 * closures: a watch keeps it for hours, and ten thousand idle watches are a normal load.
 */
class SessionHooks implements ProxyHooks {
  private readonly started = process.hrtime.bigint();
  readonly onBytes: FrontDoorOptions['onBytes'];

  constructor(
    private readonly session: AgentSession,
    private readonly type: string,
    private readonly opts: FrontDoorOptions,
  ) {
    this.onBytes = opts.onBytes;
    session.active++;
    opts.onRequestStart?.();
  }

  release(stream: TunnelStream): void {
    this.session.release(stream);
  }

  discard(stream: TunnelStream): void {
    this.session.forgetStream(stream);
  }

  onProtocolError(reason: string): void {
    this.opts.log('warn', 'agent broke the stream protocol; stream closed', { agent: this.session.agent, session: this.session.id, reason });
  }

  onDone(status: number | 'error'): void {
    this.session.active--;
    this.opts.onRequestDone?.(this.type, status, Number(process.hrtime.bigint() - this.started) / 1e9);
  }
}

export { buildHead, SessionHooks };
