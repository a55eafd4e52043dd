// A relay on one machine without a tunnel: a local front server whose requests go through
// the relay's send side, over an in-memory Stream call (memory-call.ts), to the relay's
// serve side, which calls a real node:http upstream through an x-test service.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { requestHeadOf } from '../../src/relay/request-head.js';
import { sendRequest, type SendHooks } from '../../src/relay/send-request.js';
import { sendUpgrade } from '../../src/relay/send-upgrade.js';
import { serveRequest, type ServeContext } from '../../src/relay/serve-request.js';
import type { AgentService } from '../../src/services/agent-service.js';
import { serviceConfigSchema } from '../../src/services/default-types.js';
import { buildService } from '../../src/services/registry.js';
import type { TunnelStream } from '../../src/tunnel/tunnel-stream.js';
import type { FrameIn } from '../../src/tunnel/types.js';
import { memoryStreamPair, type MemoryCall } from './memory-call.js';

export interface RelayEnv {
  /** The front server's port: requests to it cross the relay. */
  port: number;
  upstream: Server;
  /** Statuses the send side reported done, in order. */
  done: (number | 'error')[];
  /** Every frame the serve side (the agent) wrote, over all streams, in order per stream. */
  servedFrames(): FrameIn[];
  close(): Promise<void>;
}

/** Upgraded sockets leave the server's own list: keep every one, to end them at close. */
const sockets = new Set<Duplex>();

async function listen(server: Server): Promise<number> {
  server.on('connection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** `route` picks the service name from the request (default: the x-test service "up"). */
export async function startRelayEnv(
  upstreamHandler: (req: IncomingMessage, res: ServerResponse) => void,
  route: (req: IncomingMessage) => string = () => 'up',
): Promise<RelayEnv> {
  const upstream = createServer(upstreamHandler);
  const upstreamPort = await listen(upstream);
  const service: AgentService = await buildService(
    serviceConfigSchema().parse({ type: 'x-test', name: 'up', url: `http://127.0.0.1:${upstreamPort}`, credential: { kind: 'none' } }),
    { agentName: 'relay-test', probes: false },
  );
  const done: (number | 'error')[] = [];
  const ctx: ServeContext = {
    agentName: 'relay-test',
    findService: (type, name) => (type === service.type && name === service.name ? service : undefined),
    onIdle: (s) => s.close(),
    onDead: () => undefined,
    log: () => undefined,
  };
  const hooks: SendHooks = {
    release: (s) => s.close(),
    discard: () => undefined,
    onDone: (status) => done.push(status),
  };
  const serveCalls: MemoryCall[] = [];
  const pair = (): TunnelStream => {
    const p = memoryStreamPair((stream, frame) => {
      if (frame?.kind === 'request') serveRequest(stream, frame.request!, ctx);
    });
    serveCalls.push(p.serveCall);
    return p.send;
  };

  const front = createServer((req, res) => {
    sendRequest(req, res, pair(), requestHeadOf(req, { type: 'x-test', name: route(req) }, undefined, 'http'), hooks);
  });
  front.on('upgrade', (req: IncomingMessage, socket: Duplex, early: Buffer) => {
    sendUpgrade(socket, early, pair(), requestHeadOf(req, { type: 'x-test', name: route(req) }, undefined, 'http'), hooks);
  });
  const port = await listen(front);
  return {
    port,
    upstream,
    done,
    servedFrames: () => serveCalls.flatMap((c) => c.sent),
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => front.close(r)), new Promise((r) => upstream.close(r))]);
      await service.close();
    },
  };
}
