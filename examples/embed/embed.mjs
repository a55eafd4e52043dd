// Embedding ferry: a controller and an agent in one Node process, using only the public
// API (the package's "exports", imported by its name). One request goes through the tunnel
// to a demo upstream, then both ends stop gracefully. Run: npm run build && node examples/embed/embed.mjs
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent as HttpsClient, request } from 'undici';
import {
  agentConfigFromObject,
  controllerConfigFromObject,
  createCA,
  createLogger,
  issueServiceToken,
  startAgent,
  startController,
  waitForConnection,
  writePublicFile,
  writeSecretFile,
} from 'ferry';

const AGENT = 'embedded';
const SERVICE = { type: 'x-demo', name: 'hello' };
const dir = await mkdtemp(join(tmpdir(), 'ferry-embed-'));
const logger = createLogger({ name: 'ferry-embed', level: 'warn' });

// 1. A CA and the agent's certificate, written where the configs point (relative to `dir`).
const ca = await createCA({ trustDomain: 'ferry.local' });
const agentCert = await ca.issueClient({ kind: 'agent', agent: AGENT });
await writePublicFile(join(dir, 'ca.crt'), ca.certPem);
await writeSecretFile(join(dir, 'ca.key'), ca.keyPem);
await writePublicFile(join(dir, 'agent.crt'), agentCert.certPem);
await writeSecretFile(join(dir, 'agent.key'), agentCert.keyPem);

// 2. The private upstream the agent reaches (in real life: inside the cluster).
const upstream = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'hello from the embedded upstream', path: req.url }));
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', () => resolve(undefined)));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

// 3. The controller: every port ephemeral, on 127.0.0.1.
const controller = await startController(
  controllerConfigFromObject(
    {
      ca: { cert: 'ca.crt', key: 'ca.key' },
      agents: { listen: '127.0.0.1:0' },
      frontDoor: { listen: '127.0.0.1:0', serverNames: ['localhost', '127.0.0.1'] },
      control: { listen: '127.0.0.1:0' },
      metrics: { listen: '127.0.0.1:0' },
    },
    { baseDir: dir, label: 'embedded controller' },
  ),
  { logger },
);

// 4. The agent dials it and offers the upstream as a service.
const agent = await startAgent(
  agentConfigFromObject(
    {
      controller: { address: `127.0.0.1:${controller.ports.agents}`, serverName: 'localhost' },
      tls: { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' },
      services: [{ ...SERVICE, url: upstreamUrl }],
    },
    { baseDir: dir, label: 'embedded agent' },
  ),
  { logger },
);
await waitForConnection(agent, 15_000);
console.log(`agent "${agent.name}" connected to the controller`);

// 5. A service token and one request through the front door, the tunnel and the agent.
const { token } = await issueServiceToken(controller.issuer, { agent: AGENT, ...SERVICE }, 300);
const client = new HttpsClient({ connect: { ca: ca.certPem } });
let exitCode = 0;
try {
  const res = await request(`https://localhost:${controller.ports.frontDoor}/greeting`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  const body = await res.body.json();
  console.log(`status ${res.statusCode}: ${body.message} (path ${body.path})`);
  if (res.statusCode !== 200) exitCode = 1;
} finally {
  // 6. Graceful stop: the agent drains, then the controller; then the rest.
  await client.close();
  await agent.stop(2_000);
  await controller.stop(2_000);
  await new Promise((resolve) => upstream.close(() => resolve(undefined)));
  await rm(dir, { recursive: true, force: true });
}
console.log('stopped');
process.exitCode = exitCode;
