// `ferry agent --config FILE`
import type { Command } from 'commander';
import { loadAgentConfig } from '../config/agent-config.js';
import { startAgent } from '../agent/agent.js';
import { onShutdown } from './signals.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run an agent: dial the controller and serve the configured services')
    .requiredOption('-c, --config <file>', 'agent YAML config')
    .option('--check-config', 'validate the config and exit')
    .action(async (opts: { config: string; checkConfig?: boolean }) => {
      const config = await loadAgentConfig(opts.config);
      if (opts.checkConfig) {
        process.stdout.write(`${opts.config}: ok\n`);
        return;
      }
      const agent = await startAgent(config);
      onShutdown(() => agent.stop());
    });
}
