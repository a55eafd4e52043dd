// `ferry make-ca`: creates a CA plus the first control and agent certificates.
// Everything is generated in memory first and written all-or-nothing, so a failure
// never leaves a CA without its key or a key without its certificate.
import { type Command, Option } from 'commander';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
// Only light modules at load time: the crypto stack is imported when make-ca runs,
// so other ferry commands (and --help) don't pay for loading it.
import { assertDnsSafeName, assertTrustDomain, DEFAULT_TRUST_DOMAIN, type Identity } from '../pki/identity.js';
import { KEY_ALGORITHMS, parseKeyAlgorithm, type KeyAlgorithm } from '../pki/key-algorithm.js';
import type { FileToWrite } from '../pki/files.js';

export interface MakeCaOptions {
  out: string;
  agents: string[];
  control: string;
  trustDomain: string;
  algorithm: KeyAlgorithm;
  /** Validity of the issued (leaf) certificates. */
  days: number;
  caDays: number;
  kubernetes: boolean;
  namespace: string;
  force: boolean;
}

function positiveInt(what: string, s: string): number {
  if (!/^[1-9]\d{0,5}$/.test(s)) throw new FerryError('FERRY_ERR_BAD_INPUT', `${what} must be a whole number of days, got "${s}"`);
  return Number(s);
}

function validate(opts: MakeCaOptions): void {
  assertTrustDomain(opts.trustDomain);
  assertDnsSafeName('control name', opts.control);
  const seen = new Set<string>();
  for (const a of opts.agents) {
    assertDnsSafeName('agent name', a);
    if (seen.has(a)) throw new FerryError('FERRY_ERR_BAD_INPUT', `agent "${a}" given twice`);
    seen.add(a);
  }
  if (opts.kubernetes) assertDnsSafeName('namespace', opts.namespace);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Generates every file in memory; nothing touches the disk here. */
async function planFiles(opts: MakeCaOptions): Promise<FileToWrite[]> {
  const { createCA, tlsSecretYaml, PUBLIC_MODE, SECRET_MODE } = await import('../pki/index.js');
  const ca = await createCA({ trustDomain: opts.trustDomain, algorithm: opts.algorithm, validityDays: opts.caDays });
  const files: FileToWrite[] = [
    { path: join(opts.out, 'ca.crt'), data: ca.certPem, mode: PUBLIC_MODE },
    { path: join(opts.out, 'ca.key'), data: ca.keyPem, mode: SECRET_MODE },
  ];
  const holders: Array<{ base: string; identity: Identity }> = [
    { base: `control-${opts.control}`, identity: { kind: 'control', name: opts.control } },
    ...opts.agents.map((agent): { base: string; identity: Identity } => ({ base: `agent-${agent}`, identity: { kind: 'agent', agent } })),
  ];
  for (const { base, identity } of holders) {
    const issued = await ca.issueClient(identity, { algorithm: opts.algorithm, validityDays: opts.days });
    files.push(
      { path: join(opts.out, `${base}.crt`), data: issued.certPem, mode: PUBLIC_MODE },
      { path: join(opts.out, `${base}.key`), data: issued.keyPem, mode: SECRET_MODE },
    );
    if (opts.kubernetes) {
      const yaml = tlsSecretYaml({ name: `ferry-${base}`, namespace: opts.namespace, certPem: issued.certPem, keyPem: issued.keyPem, caPem: ca.certPem });
      // The Secret carries the private key, so it is a secret file too.
      files.push({ path: join(opts.out, `${base}-secret.yaml`), data: yaml, mode: SECRET_MODE });
    }
  }
  return files;
}

/** Runs make-ca and returns the paths written, in order. */
export async function makeCa(opts: MakeCaOptions): Promise<string[]> {
  validate(opts);
  const targets = ['ca.crt', 'ca.key'].map((f) => join(opts.out, f));
  if (!opts.force) {
    for (const t of targets) {
      if (await exists(t)) throw new FerryError('FERRY_ERR_EXISTS', `${t} already exists; use --force to replace the CA`);
    }
  }
  const { ensureWritableDir, writeFilesAtomically } = await import('../pki/files.js');
  // Fail on an unwritable directory before spending time on keys.
  await ensureWritableDir(opts.out);
  const files = await planFiles(opts);
  await writeFilesAtomically(files);
  return files.map((f) => f.path);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerMakeCa(program: Command): void {
  program
    .command('make-ca')
    .description('create a certificate authority plus a control certificate and agent certificates')
    .option('--out <dir>', 'output directory', 'certs')
    .option('--agent <name>', 'issue an agent certificate (repeatable)', collect, [])
    .option('--control <name>', 'name of the first control (operator) certificate', 'admin')
    .option('--trust-domain <domain>', 'trust domain written into every identity URI', DEFAULT_TRUST_DOMAIN)
    .addOption(new Option('--algorithm <alg>', 'key algorithm').choices(KEY_ALGORITHMS).default('ecdsa-p256'))
    .option('--days <n>', 'validity of the issued certificates in days', '365')
    .option('--ca-days <n>', 'validity of the CA certificate in days', '3650')
    .option('--kubernetes', 'also write a kubernetes.io/tls Secret YAML per certificate', false)
    .option('--namespace <ns>', 'namespace for the Secret YAML', 'default')
    .option('--force', 'replace an existing CA in the output directory', false)
    .addHelpText(
      'after',
      '\nWrites ca.crt, ca.key, control-<name>.crt/.key and agent-<name>.crt/.key (keys mode 0600).\n' +
        'Example: ferry make-ca --out certs --agent prod-eu --kubernetes --namespace ferry',
    )
    .action(async (raw: Record<string, unknown>) => {
      const opts: MakeCaOptions = {
        out: String(raw['out']),
        agents: raw['agent'] as string[],
        control: String(raw['control']),
        trustDomain: String(raw['trustDomain']),
        algorithm: parseKeyAlgorithm(String(raw['algorithm'])),
        days: positiveInt('--days', String(raw['days'])),
        caDays: positiveInt('--ca-days', String(raw['caDays'])),
        kubernetes: raw['kubernetes'] === true,
        namespace: String(raw['namespace']),
        force: raw['force'] === true,
      };
      for (const path of await makeCa(opts)) process.stdout.write(`wrote ${path}\n`);
    });
}
