// The `ferry` command: one launcher, one subcommand per file in src/cli.
import { Command, CommanderError } from 'commander';
import { FerryError, messageOf } from '../errors.js';
import { ferryVersion } from '../version.js';

type Register = (program: Command) => void;

// Each command's module, loaded only when needed: loading all of them took 0.5 s, most of
// an agent's restart (the controller, x509 and token code an agent never runs).
const COMMANDS: Record<string, () => Promise<Register>> = {
  'make-ca': async () => (await import('./make-ca.js')).registerMakeCa,
  controller: async () => (await import('./controller.js')).registerController,
  agent: async () => (await import('./agent.js')).registerAgent,
  'get-creds': async () => (await import('./get-creds.js')).registerGetCreds,
  agents: async () => (await import('./agents.js')).registerAgents,
  quickstart: async () => (await import('./quickstart.js')).registerQuickstart,
  'kubectl-credential': async () => (await import('./kubectl-credential.js')).registerKubectlCredential,
  user: async () => (await import('./user.js')).registerUser,
  config: async () => (await import('./user.js')).registerConfigTargets,
};

/** The commands `argv` names (the first word that is not an option), or all for help and typos. */
function commandsFor(argv: string[]): string[] {
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  return named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
}

async function buildProgram(commands: string[]): Promise<Command> {
  const program = new Command('ferry')
    .description('ferry: reverse-tunnel gateway (agent dials out to controller over mTLS gRPC)')
    .version(ferryVersion(), '-V, --version')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError()
    .exitOverride();
  for (const register of await Promise.all(commands.map((c) => COMMANDS[c]!()))) register(program);
  return program;
}

/**
 * `ferry <typo> --help` would print the root help and exit 0, hiding the typo: without the
 * help flag commander reports the unknown command with a suggestion and exits 1.
 */
function withoutHelpForUnknownCommand(argv: string[]): string[] {
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  if (named === undefined || named in COMMANDS || named === 'help') return argv;
  return argv.filter((a, i) => i < 2 || (a !== '--help' && a !== '-h'));
}

async function main(argv: string[]): Promise<void> {
  argv = withoutHelpForUnknownCommand(argv);
  const program = await buildProgram(commandsFor(argv));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    const debug = argv.includes('--debug');
    const message = err instanceof FerryError ? err.message : messageOf(err);
    // One line per problem (a config error lists each), each saying where it came from.
    process.stderr.write(`${message.split('\n').map((line) => `ferry: ${line}`).join('\n')}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  }
}

await main(process.argv);
