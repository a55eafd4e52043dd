// A local HTTP upstream that answers every request with 1 KiB: the small-request load of
// the bench's own scripts (workers, experiments), apart from the nginx the scenarios use.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startSmallUpstream(): Promise<{ url: string; server: Server }> {
  const body = Buffer.alloc(1024, 'x');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
