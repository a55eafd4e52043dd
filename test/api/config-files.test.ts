// Configs built in code: the defaults are complete, and a saved file loads back to the
// same config, through the same loader the CLI uses.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { agentConfigFromObject, defaultAgentConfig, defaultControllerConfig, loadAgentConfig, loadControllerConfig, saveConfig } from '../../src/index.js';

const dir = await mkdtemp(join(tmpdir(), 'ferry-config-files-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const without = <T extends { file: string }>(c: T): Omit<T, 'file'> => {
  const { file: _file, ...rest } = c;
  return rest;
};

void t.test('the controller defaults, saved and loaded back', async (t) => {
  const config = defaultControllerConfig(dir);
  t.equal(config.ca.cert, join(dir, 'ca.crt'));
  t.same(config.frontDoor.listen, { host: '0.0.0.0', port: 9002 });
  t.equal(config.shutdown.grace, 30);
  config.frontDoor.listen = { host: '::1', port: 9443 };
  config.streams.waitTimeout = 2.5;
  const file = join(dir, 'out', 'controller.yaml');
  await saveConfig(file, config);
  t.match(await readFile(file, 'utf8'), /listen: "?\[::1\]:9443"?/, 'listen addresses in their file form');
  t.same(without(await loadControllerConfig(file, {})), without(config));
  t.equal((await stat(file)).mode & 0o777, 0o644);
});

void t.test('the agent defaults, saved and loaded back', async (t) => {
  const config = defaultAgentConfig(dir);
  t.equal(config.controller.address, 'localhost:9001');
  t.equal(config.tls.key, join(dir, 'agent.key'));
  const file = join(dir, 'agent.yaml');
  await saveConfig(file, config);
  t.same(without(await loadAgentConfig(file, {})), without(config));
  const withServices = agentConfigFromObject(
    {
      controller: { address: 'ferry.example.com:9001', serverName: 'ferry.example.com' },
      tls: { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' },
      metrics: { listen: '127.0.0.1:9103' },
      services: [
        { type: 'x-demo', name: 'hello', url: 'http://127.0.0.1:8080', health: { path: '/healthz', interval: '30s' } },
        { type: 'jenkins', name: 'ci', url: 'https://jenkins.internal', credential: { kind: 'basic', username: 'ferry', password: { file: 'jenkins-token' } } },
      ],
    },
    { baseDir: dir },
  );
  await saveConfig(file, withServices);
  t.same(without(await loadAgentConfig(file, {})), without(withServices), 'services, credentials and health too');
});
