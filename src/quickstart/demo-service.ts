// The quickstart's private service: answers with what reached it, so a user can see
// which headers the agent added and which of theirs it removed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startDemoService(port = 0): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const body = JSON.stringify(
      { message: 'hello from the demo service behind the ferry agent', method: req.method, path: req.url, headers: req.headers },
      null,
      2,
    );
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
