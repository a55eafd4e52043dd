// SIGTERM/SIGINT stop a program gracefully (a second signal forces exit); SIGHUP reloads;
// SIGUSR2 reopens the log file (after logrotate moved it), when logging to one.
export function onShutdown(stop: () => Promise<void>, reload?: () => Promise<void>, rotateLogs?: () => boolean): void {
  let stopping = false;
  const handler = (sig: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`ferry: ${sig} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`ferry: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  if (rotateLogs) process.on('SIGUSR2', () => void rotateLogs());
  if (reload) {
    process.on('SIGHUP', () => {
      reload().catch((err: unknown) => process.stderr.write(`ferry: reload failed: ${err instanceof Error ? err.message : String(err)}\n`));
    });
  }
}
