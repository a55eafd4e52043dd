// Test kit for the webhook tests: a scripted webhook server on 127.0.0.1 port 0 that
// records what it was sent, and a logger whose lines are captured.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { logFnOf, type LogFn } from '../../src/observability/log-fn.js';

export interface Received {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export type Script = (received: Received, res: ServerResponse, req: IncomingMessage) => void;

export interface ScriptedServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function scriptedServer(script: Script): Promise<ScriptedServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, at: Date.now() };
      received.push(r);
      script(r, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A real pino logger (ferry's, with its redaction) whose JSON lines are kept. */
export function capturedLog(): { log: LogFn; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const logger = createLogger({ name: 'webhooks-test', pretty: false, level: 'debug', destination });
  return { log: logFnOf(logger), lines };
}
