#!/usr/bin/env node
// The demo service behind the agent: answers every request with what it received, so a
// caller can see that its own credentials were stripped on the way. Plain Node, no
// dependencies, so it runs from a source checkout or a bare node image.
//   PORT (default 8080), HOST (default 127.0.0.1; 0.0.0.0 in a container)
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    const body = JSON.stringify({ hello: 'from the demo service', method: req.method, path: req.url, headers: req.headers, bodyBytes: bytes }, null, 2);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`${body}\n`);
  });
});

server.listen(port, host, () => process.stderr.write(`demo service listening on http://${host}:${port}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
