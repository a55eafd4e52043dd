// `ferry make-ca`: creates a CA plus the first control and agent certificates
// (src/pki/ca-files.ts makes and writes them).
import { type Command, Option } from 'commander';
import { FerryError } from '../errors.js';
import { writeCaFiles, type CaFilesOptions } from '../pki/ca-files.js';
import { DEFAULT_TRUST_DOMAIN } from '../pki/identity.js';
import { KEY_ALGORITHMS, parseKeyAlgorithm } from '../pki/key-algorithm.js';

// The command's names for the library function (its tests call it directly).
export type MakeCaOptions = CaFilesOptions;
export const makeCa = writeCaFiles;

function positiveInt(what: string, s: string): number {
  if (!/^[1-9]\d{0,5}$/.test(s)) throw new FerryError('FERRY_ERR_BAD_INPUT', `${what} must be a whole number of days, got "${s}"`);
  return Number(s);
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
