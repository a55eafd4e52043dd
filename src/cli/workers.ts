// `ferry controller --workers N`: one machine, every core. The primary process only
// supervises: it forks N workers with node:cluster, which share the listening ports (the
// primary hands out connections round robin), and each worker is a full controller and a
// replica of its own (replica id <base>-w<i>) on the shared store, so agents hold a session
// to every worker exactly as they do to replicas behind a load balancer. A worker that dies
// is started again (after a pause if they keep dying); SIGTERM/SIGINT drain every worker,
// SIGHUP and SIGUSR2 are passed on.
import cluster, { type Worker } from 'node:cluster';
import { createLogger } from '../observability/logger.js';

const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 10_000;

/**
 * The replica id a worker runs as: <base>-w<i>, and -r<n> for its n-th restart (the dead
 * one's record stays live until replica.timeout, and a live id is never taken twice).
 */
export function workerReplicaId(base: string): string {
  const restart = Number(process.env['FERRY_WORKER_RESTART'] ?? '0');
  return `${base}-w${process.env['FERRY_WORKER_INDEX'] ?? '0'}${restart > 0 ? `-r${restart}` : ''}`;
}

export function isWorker(): boolean {
  return cluster.isWorker;
}

/** Runs the primary: resolves when every worker has exited after a stop signal. */
export function superviseWorkers(count: number, baseReplicaId: string): Promise<number> {
  const log = createLogger({ name: 'ferry-controller' });
  let stopping = false;
  const byIndex = new Map<number, Worker>();
  const failures = new Map<number, number>();
  const restarts = new Map<number, number>();

  const fork = (index: number) => {
    const restart = restarts.get(index) ?? 0;
    restarts.set(index, restart + 1);
    const worker = cluster.fork({ FERRY_WORKER_INDEX: String(index), FERRY_WORKER_RESTART: String(restart), FERRY_REPLICA_BASE: baseReplicaId });
    byIndex.set(index, worker);
    const startedAt = Date.now();
    worker.on('exit', (code, signal) => {
      byIndex.delete(index);
      if (stopping) return;
      // One that lived a while starts again at once; one that keeps dying waits longer each time.
      const n = Date.now() - startedAt > 30_000 ? 0 : (failures.get(index) ?? 0) + 1;
      failures.set(index, n);
      const delay = n === 0 ? 0 : Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (n - 1));
      log.warn({ worker: index, pid: worker.process.pid, code, signal, restartInMs: delay }, 'controller worker exited; starting it again');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, delay);
    });
  };
  // Worker 0 first, the rest once it listens: on a fresh store it creates the one token key
  // the others then find (workers started together each made their own, and a token signed
  // by one was refused by another until its store watch re-read the keys).
  let restStarted = false;
  const startRest = () => {
    if (restStarted) return;
    restStarted = true;
    for (let i = 1; i < count; i++) fork(i);
  };
  fork(0);
  byIndex.get(0)?.once('listening', startRest);
  log.info({ workers: count, pid: process.pid, replicaBase: baseReplicaId }, 'controller workers started');

  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        for (const w of byIndex.values()) w.process.kill('SIGKILL');
        return;
      }
      stopping = true;
      log.info({ signal }, 'stopping controller workers');
      for (const w of byIndex.values()) w.process.kill('SIGTERM');
      const check = () => {
        if (byIndex.size === 0) resolve(0);
      };
      cluster.on('exit', check);
      check();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    for (const signal of ['SIGHUP', 'SIGUSR2'] as const) process.on(signal, () => byIndex.forEach((w) => w.process.kill(signal)));
  });
}

/**
 * A worker's signals: the primary passes SIGTERM on, and a service manager that signals the
 * whole process group delivers it too, so a repeat is not "again, exit now" here: the
 * primary escalates with SIGKILL on its own second signal.
 */
export function onWorkerShutdown(stop: () => Promise<void>, reload: () => Promise<void>, rotateLogs: () => boolean): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`ferry: worker shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  process.on('SIGUSR2', () => void rotateLogs());
  process.on('SIGHUP', () => {
    reload().catch((err: unknown) => process.stderr.write(`ferry: reload failed: ${err instanceof Error ? err.message : String(err)}\n`));
  });
}
