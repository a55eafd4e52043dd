// Service config on real files: a non-http(s) URL, a type without the credential it
// needs, an unknown type, two sources for one secret — each reported at file:line:col
// with its key, all at once, never quoting a secret; relative paths resolve against the
// config file's folder; a request for a type the agent lacks is refused by the runner.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadAgentConfig } from '../../src/config/agent-config.js';
import { defaultServiceTypes } from '../../src/services/default-types.js';
import type { ServiceConfig } from '../../src/services/service-config.js';
import { ConfigError } from '../../src/config/config-error.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-svc-config-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

const HEAD = `controller:
  address: 127.0.0.1:9001
tls: { cert: a.crt, key: a.key, ca: ca.crt }
services:
`;

async function load(body: string): Promise<{ file: string; err?: ConfigError; config?: Awaited<ReturnType<typeof loadAgentConfig<ServiceConfig>>> }> {
  const file = join(dir, `agent-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, HEAD + body);
  try {
    return { file, config: await loadAgentConfig(file, {}, defaultServiceTypes()) };
  } catch (err) {
    if (err instanceof ConfigError) return { file, err };
    throw err;
  }
}

void t.test('a URL that is not http(s) is named with file, line and key', async (t) => {
  const { file, err } = await load(`  - type: x-ftp
    name: files
    url: ftp://files.internal/
  - type: jenkins
    name: ci
    url: not a url
    credential: { kind: basic, username: u, password: { file: pw } }
`);
  t.ok(err);
  const lines = err!.message.split('\n');
  t.equal(lines[0], `${file}:7:10: services[0].url: must be an http:// or https:// URL (got "ftp://files.internal/")`);
  t.equal(lines[1], `${file}:10:10: services[1].url: must be an http:// or https:// URL (got "not a url")`);
});

void t.test('what each type needs, at the key that is wrong', async (t) => {
  const { file, err } = await load(`  - type: jenkins
    name: ci
    url: http://jenkins
    credential: { kind: bearer, token: { env: T } }
  - type: argocd
    name: cd
    url: http://argocd
  - type: telnet
    name: old
    url: http://x
  - type: aws
    name: s3
    url: https://s3.amazonaws.com
  - type: x-two
    name: two
    url: http://x
    credential: { kind: token, token: { file: a, env: SECRET_TOKEN_VALUE } }
  - type: kubernetes
    name: k
    kubernetes: { impersonate: true }
`);
  t.ok(err);
  const text = err!.message;
  t.match(text, `${file}:8:17: services[0].credential: jenkins needs kind basic (user and API token)`);
  t.match(text, `${file}:9:5: services[1].credential: missing required key`);
  t.match(text, /services\[2\]\.type: unknown service type "telnet"/);
  t.match(text, `${file}:15:5: services[3].aws: missing required key`);
  t.match(text, /services\[4\]\.credential\.token: give exactly one of file, env or secret/);
  t.match(text, /services\[5\]\.kubernetes: give exactly one of inCluster or kubeconfig/);
});

void t.test('relative paths resolve against the config folder; defaults apply', async (t) => {
  const { config, err } = await load(`  - type: kubernetes
    name: local
    kubernetes: { inCluster: { tokenFile: sa/token } }
  - type: argocd
    name: cd
    url: https://argocd
    credential: { kind: bearer, token: { secret: { dir: argocd, key: token } } }
    health: { interval: 30s }
`);
  t.notOk(err, err?.message ?? 'loads');
  const [kube, argo] = config!.services;
  t.equal(kube!.kubernetes!.inCluster!.tokenFile, join(dir, 'sa/token'));
  t.equal(kube!.kubernetes!.inCluster!.caFile, '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
  t.equal(kube!.kubernetes!.impersonate, false);
  t.same(argo!.credential, { kind: 'bearer', token: { secret: { dir: join(dir, 'argocd'), key: 'token' } } });
  t.same(argo!.health, { enabled: true, interval: 30, timeout: 5, failures: 2 });
});
