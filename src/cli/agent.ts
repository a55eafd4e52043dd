// `ferry agent --config FILE`
import type { Command } from 'commander';
import { AGENT_ENV, checkAgentConfig, loadAgentConfig, startAgent } from '../api/agent.js';
import { envHelp } from './env-help.js';
import { heapFlagNote } from './heap-flag.js';
import { onShutdown } from './signals.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run an agent: dial the controller and serve the configured services')
    .requiredOption('-c, --config <file>', 'agent YAML config')
    .option('--check-config', 'validate the config (and that its certificates and services load) and exit')
    .addHelpText('after', envHelp(AGENT_ENV))
    .action(async (opts: { config: string; checkConfig?: boolean }) => {
      const config = await loadAgentConfig(opts.config);
      if (opts.checkConfig) {
        await checkAgentConfig(config);
        process.stdout.write(`${opts.config}: ok\n`);
        return;
      }
      const note = heapFlagNote();
      if (note) process.stderr.write(note);
      const agent = await startAgent(config);
      onShutdown(
        () => agent.stop(),
        () => agent.reload(),
      );
    });
}
