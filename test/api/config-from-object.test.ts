// Configs given as objects (an embedding application): the same schema, defaults and
// problem wording as the YAML files, relative paths resolved against the given folder.
import { join } from 'node:path';
import t from 'tap';
import { agentConfigFromObject, ConfigError, controllerConfigFromObject, loadAgentConfig, loadControllerConfig } from '../../src/index.js';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a config error');
}

void t.test('a controller config from an object equals the same config read from a file', async (t) => {
  const dir = t.testdir({ 'controller.yaml': 'ca:\n  cert: certs/ca.crt\n  key: certs/ca.key\nfrontDoor:\n  listen: "127.0.0.1:0"\n' });
  const fromFile = await loadControllerConfig(join(dir, 'controller.yaml'), {});
  const fromObject = controllerConfigFromObject({ ca: { cert: 'certs/ca.crt', key: 'certs/ca.key' }, frontDoor: { listen: '127.0.0.1:0' } }, { baseDir: dir });
  t.same({ ...fromObject, file: '' }, { ...fromFile, file: '' }, 'same values, defaults and resolved paths');
  t.equal(fromObject.ca.cert, join(dir, 'certs', 'ca.crt'), 'relative paths are resolved against baseDir');
  t.equal(fromObject.dataDir, join(dir, 'certs', 'state'), 'the state folder defaults beside the CA');
  t.equal(fromObject.file, '<config>', 'the label stands where the file name was');
});

void t.test('an agent config from an object resolves its paths against baseDir', async (t) => {
  const dir = t.testdir({
    'agent.yaml': 'controller:\n  address: "127.0.0.1:9001"\ntls:\n  cert: a.crt\n  key: a.key\n  ca: ca.crt\nservices:\n  - type: x-demo\n    name: hello\n    url: http://127.0.0.1:8080\n',
  });
  const fromFile = await loadAgentConfig(join(dir, 'agent.yaml'), {});
  const fromObject = agentConfigFromObject(
    { controller: { address: '127.0.0.1:9001' }, tls: { cert: 'a.crt', key: 'a.key', ca: 'ca.crt' }, services: [{ type: 'x-demo', name: 'hello', url: 'http://127.0.0.1:8080' }] },
    { baseDir: dir, label: 'my agent' },
  );
  t.same({ ...fromObject, file: '' }, { ...fromFile, file: '' });
  t.equal(fromObject.tls.key, join(dir, 'a.key'));
  t.equal(fromObject.file, 'my agent');
});

void t.test('every problem is reported at once, in the file loader\'s words, named by the label', (t) => {
  const err = configErrorOf(() =>
    controllerConfigFromObject({ ca: { cert: 'ca.crt' }, frontDoor: { listen: 'nowhere:99999' }, colour: 'blue' } as unknown as Parameters<typeof controllerConfigFromObject>[0], {
      baseDir: '/tmp',
      label: 'embedded controller',
    }),
  );
  t.equal(err.code, 'FERRY_ERR_BAD_CONFIG');
  const lines = err.message.split('\n');
  t.ok(lines.includes('embedded controller: ca.key: missing required key'), 'a missing key');
  t.ok(lines.includes('embedded controller: colour: unknown key'), 'an unknown key');
  t.ok(lines.some((l) => l.startsWith('embedded controller: frontDoor.listen: ')), 'a bad value');
  t.equal(lines.length, 3);
  t.end();
});

void t.test('an agent needs tls or bootstrap, as in a file', (t) => {
  const err = configErrorOf(() => agentConfigFromObject({ controller: { address: '127.0.0.1:1' } }, { baseDir: '/tmp' }));
  t.match(err.message, /^<config>: give exactly one of tls \(certificate files\) or bootstrap \(one-time token\)$/);
  t.end();
});
