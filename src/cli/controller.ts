// `ferry controller --config FILE`
import type { Command } from 'commander';
import { CONTROLLER_ENV, checkControllerConfig, createController, loadControllerConfig } from '../api/controller.js';
import { envHelp } from './env-help.js';
import { heapFlagNote } from './heap-flag.js';
import { onShutdown } from './signals.js';

export function registerController(program: Command): void {
  program
    .command('controller')
    .description('run the controller: agent gRPC endpoint (:9001), front door (:9002), metrics (:9102)')
    .requiredOption('-c, --config <file>', 'controller YAML config')
    .option('--log-file <file>', 'write JSON log lines to FILE instead of stderr (SIGUSR2 reopens it after rotation)')
    .option('--check-config', 'validate the config (and that the CA loads) and exit')
    .addHelpText('after', envHelp(CONTROLLER_ENV))
    .action(async (opts: { config: string; checkConfig?: boolean; logFile?: string }) => {
      const config = await loadControllerConfig(opts.config);
      if (opts.checkConfig) {
        await checkControllerConfig(config);
        process.stdout.write(`${opts.config}: ok\n`);
        return;
      }
      const note = heapFlagNote();
      if (note) process.stderr.write(note);
      const controller = createController(config, { logFile: opts.logFile });
      onShutdown(
        () => controller.stop(new Date(Date.now() + config.shutdown.grace * 1000)),
        () => controller.handle.reload(),
        () => controller.rotateLogs(),
      );
      await controller.run();
    });
}
