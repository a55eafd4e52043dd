// A CA plus its first control and agent certificates as files (what `ferry make-ca` writes).
// Everything is generated in memory first and written all-or-nothing, so a failure
// never leaves a CA without its key or a key without its certificate.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
// Only light modules at load time: the crypto stack is imported when the files are made,
// so ferry commands that never make a CA (and --help) don't pay for loading it.
import { assertDnsSafeName, assertTrustDomain, type Identity } from './identity.js';
import type { KeyAlgorithm } from './key-algorithm.js';
import type { FileToWrite } from '../files/atomic-files.js';

export interface CaFilesOptions {
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

function validate(opts: CaFilesOptions): void {
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
async function planFiles(opts: CaFilesOptions): Promise<FileToWrite[]> {
  const { createCA, tlsSecretYaml, PUBLIC_MODE, SECRET_MODE } = await import('./index.js');
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

/** Writes ca.crt, ca.key, control-<name>.crt/.key, agent-<name>.crt/.key (and Secret YAMLs); returns the paths, in order. */
export async function writeCaFiles(opts: CaFilesOptions): Promise<string[]> {
  validate(opts);
  const targets = ['ca.crt', 'ca.key'].map((f) => join(opts.out, f));
  if (!opts.force) {
    for (const t of targets) {
      if (await exists(t)) throw new FerryError('FERRY_ERR_EXISTS', `${t} already exists; use --force to replace the CA`);
    }
  }
  const { ensureWritableDir, writeFilesAtomically } = await import('../files/atomic-files.js');
  // Fail on an unwritable directory before spending time on keys.
  await ensureWritableDir(opts.out);
  const files = await planFiles(opts);
  await writeFilesAtomically(files);
  return files.map((f) => f.path);
}
