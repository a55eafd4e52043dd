// The relay's serving side for an Upgrade request (kubectl exec/attach/port-forward, WebSocket): the upstream's
// answer goes back untouched; after 101 the two sockets are joined through the stream.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { FerryError, messageOf } from '../errors.js';
import { fromRawHeaders, toNodeHeaders } from './headers.js';
import { pumpToTunnel, writeFromTunnel } from '../tunnel/pump.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import type { FrameIn, RequestHeadIn } from '../tunnel/types.js';
import type { AgentService } from '../services/agent-service.js';
import type { ServeContext } from './serve-context.js';
import { serviceRequestOf } from './upstream-headers.js';

export function serveUpgrade(
  stream: TunnelStream,
  head: RequestHeadIn,
  service: AgentService,
  ctx: ServeContext,
  done: (status: number | 'error') => void,
): void {
  let finished = false;
  let upstream: Socket | undefined;
  let req: http.ClientRequest | undefined;
  let detachPump: (() => void) | undefined;
  const early: Buffer[] = [];

  const finish = (status: number | 'error') => {
    if (finished) return;
    finished = true;
    detachPump?.();
    req?.destroy();
    upstream?.destroy();
    // Upgraded streams are never reused.
    stream.close();
    ctx.onDead(stream);
    done(status);
  };

  stream.attach({
    onFrame(frame: FrameIn) {
      switch (frame.kind) {
        case 'data':
          ctx.onBytes?.('in', frame.data!.length);
          if (upstream) writeFromTunnel(upstream, stream, frame.data!);
          else early.push(frame.data!);
          break;
        case 'end':
          upstream?.end();
          break;
        default:
          finish('error');
      }
    },
    onClosed() {
      finish('error');
    },
  });

  void (async () => {
    try {
      const prepared = await service.prepare(serviceRequestOf(head, ctx.agentName));
      if (finished) return;
      const mod = prepared.url.protocol === 'https:' ? https : http;
      req = mod.request(prepared.url, {
        method: head.method,
        headers: toNodeHeaders(prepared.headers),
        agent: false,
        ...(prepared.url.protocol === 'https:' ? prepared.tls : {}),
      });
      req.on('upgrade', (res: http.IncomingMessage, socket: Socket, rest: Buffer) => {
        if (finished) {
          socket.destroy();
          return;
        }
        upstream = socket;
        socket.setNoDelay(true);
        stream.send({ response: { status: 101, headers: fromRawHeaders(res.rawHeaders), body: rest, bodyComplete: false } });
        for (const b of early.splice(0)) socket.write(b);
        detachPump = pumpToTunnel(socket, stream, { onBytes: (n) => ctx.onBytes?.('out', n), batch: false });
        socket.on('error', () => finish('error'));
        socket.on('close', () => finish(101));
      });
      req.on('response', (res: http.IncomingMessage) => {
        // Refused upgrade (kubectl then falls back to SPDY): pass the answer through.
        stream.send({ response: { status: res.statusCode ?? 502, headers: fromRawHeaders(res.rawHeaders), body: Buffer.alloc(0), bodyComplete: false } });
        detachPump = pumpToTunnel(res, stream, {
          onBytes: (n) => ctx.onBytes?.('out', n),
          onEnd: () => finish(res.statusCode ?? 502),
          batch: false,
        });
      });
      req.on('error', (err) => {
        if (finished) return;
        ctx.log('warn', 'upstream upgrade failed', { service: `${service.type}/${service.name}`, reason: err.message });
        stream.send({ reset: { code: 'UPSTREAM', reason: `upstream request failed: ${err.message}` } });
        finish('error');
      });
      req.end();
    } catch (err) {
      if (finished) return;
      const reason = err instanceof FerryError ? err.message : messageOf(err);
      stream.send({ reset: { code: 'UPSTREAM', reason } });
      finish('error');
    }
  })();
}
