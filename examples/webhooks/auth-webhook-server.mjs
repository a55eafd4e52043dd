// An auth + config webhook server for ferry, built with ferry's webhook helpers, over
// mutual TLS with certificates from ferry's CA. Users live in a table here; a real one
// would ask its own user store. Run: npm run build && node examples/webhooks/auth-webhook-server.mjs
//   --dir DIR   where the CA and certificates go (default: a new temp folder)
//   --port N    default 0 (any free port)
//   --once      ask the server once with ferry's client, print the answers, and stop
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scryptSync, timingSafeEqual, randomBytes } from 'node:crypto';
import { createCA } from 'ferry';
import {
  AuthWebhookClient,
  ConfigWebhookClient,
  createAuthWebhookHandler,
  createConfigWebhookHandler,
  createWebhookServer,
} from 'ferry/webhooks';

const { values: args } = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string', default: '0' }, once: { type: 'boolean', default: false } } });

// Passwords are kept as scrypt hashes and compared in constant time.
function hashed(password) {
  const salt = randomBytes(16);
  return { salt, hash: scryptSync(password, salt, 32) };
}
const users = {
  alice: { ...hashed('wonderland'), groups: 'ops', routes: ['*/kubernetes/*', '*/http/*'] },
  bob: { ...hashed('builder'), groups: 'dev', routes: ['*/http/*'] },
};
const passwordMatches = (user, password) => timingSafeEqual(scryptSync(password, user.salt, 32), user.hash);
const routeAllowed = (patterns, route) =>
  patterns.some((p) => p.split('/').every((part, i) => part === '*' || part === route.split('/')[i]));

const auth = createAuthWebhookHandler({
  // POST /password: ContainerSSH's request; the helper has checked it and decoded the password.
  onPassword: (req) => {
    const user = users[req.username];
    if (!user || !passwordMatches(user, req.password)) return false;
    return {
      success: true,
      authenticatedUsername: req.username,
      // `groups` becomes impersonation groups in ferry; `sensitive` entries are applied but never sent on.
      metadata: { groups: { value: user.groups, sensitive: false }, session: { value: randomBytes(8).toString('hex'), sensitive: true } },
    };
  },
  // POST /authz: the route asked for is in the metadata ("route" = agent/type/name).
  onAuthz: (req) => {
    const user = users[req.authenticatedUsername];
    const route = req.metadata?.route?.value ?? '';
    return Boolean(user && routeAllowed(user.routes, route));
  },
  // POST /token (ferry's own): a bearer token from another system.
  onToken: (req) => (req.token === 'ci-robot-token' ? { success: true, authenticatedUsername: 'ci-robot', metadata: { groups: { value: 'ci', sensitive: false } } } : false),
});
// The config webhook: per-caller sections only (agents, routes, impersonation, rateLimits, streamLimits).
const config = createConfigWebhookHandler((req) => ({ rateLimits: { requestsPerSecond: req.authenticatedUsername === 'ci-robot' ? 50 : 10 } }), { path: '/config' });

const dir = args.dir ?? (await mkdtemp(join(tmpdir(), 'ferry-webhook-')));
const ca = await createCA();
const serverCert = await ca.issueServer({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const clientCert = await ca.issueClient({ kind: 'control', name: 'ferry-controller' });
await writeFile(join(dir, 'ca.crt'), ca.certPem);
await writeFile(join(dir, 'webhook-client.crt'), clientCert.certPem);
await writeFile(join(dir, 'webhook-client.key'), clientCert.keyPem, { mode: 0o600 });

const server = createWebhookServer({
  handler: (req, res) => (req.url?.startsWith('/config') ? config(req, res) : auth(req, res)),
  tls: { cert: serverCert.certPem, key: serverCert.keyPem, ca: ca.certPem, requireClientCert: true },
});
const url = await server.listen(Number(args.port), '127.0.0.1');
console.log(`webhook server at ${url} (mTLS; client certificate and CA in ${dir})`);

if (args.once) {
  const tls = { ca: ca.certPem, cert: clientCert.certPem, key: clientCert.keyPem };
  const client = new AuthWebhookClient({ url, ...tls });
  const configClient = new ConfigWebhookClient({ url: `${url}/config`, ...tls });
  const conn = { remoteAddress: '127.0.0.1:50000', clientVersion: 'example' };
  const ok = await client.password('alice', 'wonderland', conn);
  console.log(`password alice: ${ok.success} as ${ok.authenticatedUsername}, metadata ${JSON.stringify(ok.metadata)}`);
  console.log(`password alice (wrong): ${(await client.password('alice', 'nope', conn)).success}`);
  const route = { value: 'a1/kubernetes/prod', sensitive: false };
  console.log(`authz alice a1/kubernetes/prod: ${(await client.authz('alice', 'alice', { ...conn, metadata: ok.metadata.merge({ route }) })).success}`);
  console.log(`authz bob a1/kubernetes/prod: ${(await client.authz('bob', 'bob', { ...conn, metadata: ok.metadata.merge({ route }) })).success}`);
  console.log(`config alice: ${JSON.stringify(await configClient.get('alice', 'alice', conn))}`);
  await client.close();
  await configClient.close();
  await server.close();
  if (args.dir === undefined) await rm(dir, { recursive: true, force: true });
  console.log('stopped');
}
