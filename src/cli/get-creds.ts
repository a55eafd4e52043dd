// `ferry get-creds kubectl|service|agent|control`: ask the control API for credentials
// and write them where they are used (a kubeconfig, a folder, stdout).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { parse, stringify } from 'yaml';
import { FerryError, messageOf } from '../errors.js';
import { CONTROL_PATHS, ControlClient, mergeKubeconfig } from '../api/control-client.js';
import { ensureWritableDir, writePublicFile, writeSecretFile } from '../pki/index.js';

interface ControlFlags {
  controlUrl?: string;
  cert?: string;
  key?: string;
  ca?: string;
  token?: string;
}

/** The flags every control API command takes; each also reads an environment variable. */
export function addControlOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--control-url <url>', 'control API URL, e.g. https://ferry.example.com:9003').env('FERRY_CONTROL_URL'))
    .addOption(new Option('--cert <file>', 'control certificate (PEM)').env('FERRY_CONTROL_CERT'))
    .addOption(new Option('--key <file>', 'key of the control certificate (PEM)').env('FERRY_CONTROL_KEY'))
    .addOption(new Option('--ca <file>', 'CA certificate that signed the controller (PEM)').env('FERRY_CA'))
    .addOption(new Option('--token <jwt>', 'a control token instead of a certificate').env('FERRY_CONTROL_TOKEN'));
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `cannot read the ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? messageOf(err)})`);
  }
}

export async function controlClientFrom(flags: ControlFlags): Promise<ControlClient> {
  if (!flags.controlUrl) throw new FerryError('FERRY_ERR_BAD_INPUT', 'no control URL: give --control-url or set FERRY_CONTROL_URL');
  if (!flags.ca) throw new FerryError('FERRY_ERR_BAD_INPUT', 'no CA certificate: give --ca or set FERRY_CA');
  if (flags.cert && !flags.key) throw new FerryError('FERRY_ERR_BAD_INPUT', '--cert needs --key');
  return new ControlClient({
    url: flags.controlUrl,
    caPem: await readPem(flags.ca, 'CA certificate'),
    certPem: flags.cert ? await readPem(flags.cert, 'control certificate') : undefined,
    keyPem: flags.key ? await readPem(flags.key, 'control key') : undefined,
    token: flags.token,
  });
}

async function withClient<T>(flags: ControlFlags, work: (c: ControlClient) => Promise<T>): Promise<T> {
  const client = await controlClientFrom(flags);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** kubectl's rule: the first file of $KUBECONFIG, else ~/.kube/config. */
function defaultKubeconfig(): string {
  const env = process.env.KUBECONFIG;
  const first = env?.split(delimiter).find((p) => p !== '');
  return first ?? join(homedir(), '.kube', 'config');
}

async function readYamlIfAny(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('FERRY_ERR_IO', `cannot read ${file}: ${messageOf(err)}`);
  }
  try {
    return parse(text) as unknown;
  } catch {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `${file} is not valid YAML; not touching it`);
  }
}

interface KubectlAnswer {
  contextName: string;
  serverUrl: string;
  caCert: string;
  token: string;
  expiresAt: string;
  kubeconfig: unknown;
}

function registerKubectl(parent: Command): void {
  addControlOptions(
    parent
      .command('kubectl')
      .description('get a kubectl token for an agent\'s kubernetes service and merge it into a kubeconfig')
      .requiredOption('--agent <name>', 'agent name')
      .option('--name <name>', 'the agent\'s kubernetes service name', 'default')
      .option('--user <name>', 'the user the token names (its sub)')
      .option('--group <group>', 'a group of the user (repeatable)', collect, [])
      .option('--namespace <ns>', 'namespace of the context (an existing context keeps its own)')
      .option('--kubeconfig <file>', 'kubeconfig to write or merge into (default: $KUBECONFIG or ~/.kube/config)')
      .option('--stdout', 'print the kubeconfig instead of writing a file'),
  ).action(async (o: ControlFlags & { agent: string; name: string; user?: string; group: string[]; namespace?: string; kubeconfig?: string; stdout?: boolean }) => {
    const answer = await withClient(o, (c) =>
      c.post<KubectlAnswer>(CONTROL_PATHS.kubectl, {
        agent: o.agent,
        name: o.name,
        ...(o.user ? { user: o.user } : {}),
        ...(o.group.length > 0 ? { groups: o.group } : {}),
        ...(o.namespace ? { namespace: o.namespace } : {}),
      }),
    );
    if (o.stdout) {
      process.stdout.write(stringify(answer.kubeconfig));
      return;
    }
    const file = o.kubeconfig ?? defaultKubeconfig();
    const merged = mergeKubeconfig(await readYamlIfAny(file), {
      name: answer.contextName,
      server: answer.serverUrl,
      caPem: answer.caCert,
      token: answer.token,
      namespace: o.namespace,
    });
    await ensureWritableDir(dirname(file));
    await writeSecretFile(file, stringify(merged, { lineWidth: 0 }));
    process.stdout.write(`wrote context ${answer.contextName} to ${file} (token expires ${answer.expiresAt})\n`);
  });
}

function registerService(parent: Command): void {
  addControlOptions(
    parent
      .command('service')
      .description('get a URL and token for an agent service (also as Basic username/password)')
      .requiredOption('--agent <name>', 'agent name')
      .requiredOption('--type <type>', 'service type (kubernetes, jenkins, argocd, … or x-…)')
      .requiredOption('--name <name>', 'service name'),
  ).action(async (o: ControlFlags & { agent: string; type: string; name: string }) => {
    const answer = await withClient(o, (c) => c.post<Record<string, unknown>>(CONTROL_PATHS.service, { agent: o.agent, type: o.type, name: o.name }));
    const { caCert: _ca, ...rest } = answer;
    process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
  });
}

interface OnboardAnswer {
  agent: string;
  bootstrapToken: string;
  expiresAt: string;
  caCert: string;
  config: string;
  manifests: string;
}

function registerAgent(parent: Command): void {
  addControlOptions(
    parent
      .command('agent')
      .description('onboard an agent: a one-time bootstrap token, its config and Kubernetes manifests')
      .requiredOption('--agent <name>', 'agent name')
      .option('--namespace <ns>', 'namespace for the manifests', 'ferry')
      .option('--image <image>', 'agent container image')
      .option('--controller-address <host:port>', 'address the agent dials (default: the controller\'s public host and agent port)')
      .option('--out <dir>', 'write config.yaml, manifests.yaml, bootstrap-token and ca.crt here (default: manifests to stdout)'),
  ).action(async (o: ControlFlags & { agent: string; namespace: string; image?: string; controllerAddress?: string; out?: string }) => {
    const answer = await withClient(o, (c) =>
      c.post<OnboardAnswer>(CONTROL_PATHS.onboard, {
        agent: o.agent,
        namespace: o.namespace,
        ...(o.image ? { image: o.image } : {}),
        ...(o.controllerAddress ? { controllerAddress: o.controllerAddress } : {}),
      }),
    );
    if (!o.out) {
      process.stdout.write(answer.manifests);
      return;
    }
    await ensureWritableDir(o.out);
    await writeSecretFile(join(o.out, 'bootstrap-token'), `${answer.bootstrapToken}\n`);
    await writeSecretFile(join(o.out, 'config.yaml'), answer.config);
    await writeSecretFile(join(o.out, 'manifests.yaml'), answer.manifests);
    await writePublicFile(join(o.out, 'ca.crt'), answer.caCert);
    process.stdout.write(`wrote ${o.out}/{config.yaml,manifests.yaml,bootstrap-token,ca.crt}; the token is good once, until ${answer.expiresAt}\n`);
  });
}

interface ControlAnswer {
  name: string;
  url: string;
  certificate: string;
  key: string;
  caCert: string;
  token: string;
  expiresAt: string;
}

function registerControl(parent: Command): void {
  addControlOptions(
    parent
      .command('control')
      .description('get control credentials (certificate and token) for another operator or tool')
      .requiredOption('--name <name>', 'name of the control identity')
      .option('--out <dir>', 'write control-<name>.crt/.key/.token and ca.crt here (default: JSON to stdout)'),
  ).action(async (o: ControlFlags & { name: string; out?: string }) => {
    const answer = await withClient(o, (c) => c.post<ControlAnswer>(CONTROL_PATHS.control, { name: o.name }));
    if (!o.out) {
      process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      return;
    }
    await ensureWritableDir(o.out);
    const base = join(o.out, `control-${answer.name}`);
    await writePublicFile(`${base}.crt`, answer.certificate);
    await writeSecretFile(`${base}.key`, answer.key);
    await writeSecretFile(`${base}.token`, `${answer.token}\n`);
    await writePublicFile(join(o.out, 'ca.crt'), answer.caCert);
    process.stdout.write(`wrote ${base}.{crt,key,token} and ca.crt (valid until ${answer.expiresAt})\n`);
  });
}

export function registerGetCreds(program: Command): void {
  const parent = program.command('get-creds').description('get credentials from the control API (kubectl, service, agent, control)');
  registerKubectl(parent);
  registerService(parent);
  registerAgent(parent);
  registerControl(parent);
}
