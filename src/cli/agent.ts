// `ferry agent --config FILE`
import type { Command } from 'commander';
import { AGENT_ENV, checkAgentConfig, createAgent, loadAgentConfig } from '../api/agent.js';
import { envHelp } from './env-help.js';
import { heapFlagNote } from './heap-flag.js';
import { onShutdown } from './signals.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run an agent: dial the controller and serve the configured services')
    .requiredOption('-c, --config <file>', 'agent YAML config')
    .option('--log-file <file>', 'write JSON log lines to FILE instead of stderr (SIGUSR2 reopens it after rotation)')
    .option('--check-config', 'validate the config (and that its certificates and services load) and exit')
    .addHelpText('after', envHelp(AGENT_ENV))
    .action(async (opts: { config: string; checkConfig?: boolean; logFile?: string }) => {
      const config = await loadAgentConfig(opts.config);
      if (opts.checkConfig) {
        await checkAgentConfig(config);
        process.stdout.write(`${opts.config}: ok\n`);
        return;
      }
      const note = heapFlagNote();
      if (note) process.stderr.write(note);
      const agent = createAgent(config, { logFile: opts.logFile });
      onShutdown(
        () => agent.stop(new Date(Date.now() + config.shutdown.grace * 1000)),
        () => agent.handle.reload(),
        () => agent.rotateLogs(),
      );
      await agent.run();
    });
}
