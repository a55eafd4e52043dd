// `ferry controller --config FILE`
import type { Command } from 'commander';
import { CONTROLLER_ENV, checkControllerConfig, createController, defaultReplicaId, loadControllerConfig } from '../api/controller.js';
import { envHelp } from './env-help.js';
import { heapFlagNote } from './heap-flag.js';
import { onShutdown } from './signals.js';
import { FerryError } from '../errors.js';
import { isWorker, onWorkerShutdown, superviseWorkers, workerReplicaId } from './workers.js';

export function registerController(program: Command): void {
  program
    .command('controller')
    .description('run the controller: agent gRPC endpoint (:9001), front door (:9002), metrics (:9102)')
    .requiredOption('-c, --config <file>', 'controller YAML config')
    .option('--log-file <file>', 'write JSON log lines to FILE instead of stderr (SIGUSR2 reopens it after rotation)')
    .option('--check-config', 'validate the config (and that the CA loads) and exit')
    .option('--workers <n>', 'processes sharing the ports, one replica each (overrides workers: and FERRY_WORKERS)')
    .addHelpText('after', envHelp(CONTROLLER_ENV))
    .action(async (opts: { config: string; checkConfig?: boolean; logFile?: string; workers?: string }) => {
      let config = await loadControllerConfig(opts.config);
      const workers = opts.workers === undefined ? config.workers : Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new FerryError('FERRY_ERR_BAD_INPUT', `--workers must be a whole number from 1 to 256, got ${opts.workers}`);
      if (opts.checkConfig) {
        await checkControllerConfig(config);
        process.stdout.write(`${opts.config}: ok\n`);
        return;
      }
      if (workers > 1 && !isWorker()) {
        process.exitCode = await superviseWorkers(workers, config.replica.id ?? defaultReplicaId());
        return;
      }
      if (isWorker()) config = { ...config, replica: { ...config.replica, id: workerReplicaId(process.env['FERRY_REPLICA_BASE'] ?? defaultReplicaId()) } };
      const note = heapFlagNote();
      if (note) process.stderr.write(note);
      const controller = createController(config, { logFile: opts.logFile });
      (isWorker() ? onWorkerShutdown : onShutdown)(
        () => controller.stop(new Date(Date.now() + config.shutdown.grace * 1000)),
        () => controller.handle.reload(),
        () => controller.rotateLogs(),
      );
      await controller.run();
    });
}
