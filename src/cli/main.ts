// The `ferry` command: one launcher, one subcommand per file in src/cli.
import { Command, CommanderError } from 'commander';
import { FerryError, messageOf } from '../errors.js';
import { ferryVersion } from '../project-root.js';
import { registerAgent } from './agent.js';
import { registerAgents } from './agents.js';
import { registerGetCreds } from './get-creds.js';
import { registerController } from './controller.js';
import { registerMakeCa } from './make-ca.js';
import { registerQuickstart } from './quickstart.js';

export function buildProgram(): Command {
  const program = new Command('ferry')
    .description('ferry: reverse-tunnel gateway (agent dials out to controller over mTLS gRPC)')
    .version(ferryVersion(), '-V, --version')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError()
    .exitOverride();
  registerMakeCa(program);
  registerController(program);
  registerAgent(program);
  registerGetCreds(program);
  registerAgents(program);
  registerQuickstart(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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
