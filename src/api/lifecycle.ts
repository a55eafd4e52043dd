// A controller or an agent as a lifecycle an embedding program drives: hooks registered
// before run(), states stopped → starting → running → stopping → stopped (or crashed),
// run() that resolves when stopped and rejects when crashed, stop(deadline) that drains,
// and rotateLogs() for a program that logs to a file (ContainerSSH's embedding model).
import { FerryError, messageOf } from '../errors.js';

export type LifecycleState = 'stopped' | 'starting' | 'running' | 'stopping' | 'crashed';

/** What a lifecycle drives: a started controller or agent. */
export interface Stoppable {
  /** Drain, waiting at most `graceMs` for requests in flight, then cut the rest. */
  stop(graceMs: number): Promise<void>;
}

/** Reopens the log file (after logrotate moved it away); false when not logging to a file. */
export type RotateLogs = () => boolean;

// Without a deadline, stop() waits this long for requests in flight.
const DEFAULT_GRACE_MS = 30_000;

export class Lifecycle<T extends Stoppable> {
  #state: LifecycleState = 'stopped';
  #handle: T | undefined;
  #deadline: Date | undefined;
  #stopping: Promise<void> | undefined;
  #finished: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  readonly #starting: (() => void)[] = [];
  readonly #running: (() => void)[] = [];
  readonly #stoppingHooks: ((deadline: Date) => void)[] = [];
  readonly #stopped: (() => void)[] = [];
  readonly #crashed: ((err: unknown) => void)[] = [];
  readonly #changes: ((from: LifecycleState, to: LifecycleState) => void)[] = [];

  constructor(
    private readonly what: string,
    private readonly start: () => Promise<T>,
    private readonly rotate: RotateLogs = () => false,
  ) {}

  get state(): LifecycleState {
    return this.#state;
  }

  /** The started controller or agent; only while running (or stopping). */
  get handle(): T {
    if (!this.#handle || (this.#state !== 'running' && this.#state !== 'stopping')) {
      throw new FerryError('FERRY_ERR_UNAVAILABLE', `the ${this.what} is ${this.#state}, not running`);
    }
    return this.#handle;
  }

  onStarting(hook: () => void): this {
    this.#starting.push(hook);
    return this;
  }

  onRunning(hook: () => void): this {
    this.#running.push(hook);
    return this;
  }

  onStopping(hook: (deadline: Date) => void): this {
    this.#stoppingHooks.push(hook);
    return this;
  }

  onStopped(hook: () => void): this {
    this.#stopped.push(hook);
    return this;
  }

  onCrashed(hook: (err: unknown) => void): this {
    this.#crashed.push(hook);
    return this;
  }

  onStateChange(hook: (from: LifecycleState, to: LifecycleState) => void): this {
    this.#changes.push(hook);
    return this;
  }

  /** Starts, then resolves once stopped; rejects with the error when the start (or stop) fails. */
  run(): Promise<void> {
    if (this.#state !== 'stopped' || this.#finished) {
      return Promise.reject(new FerryError('FERRY_ERR_BAD_INPUT', `the ${this.what} has run already (it is ${this.#state})`));
    }
    const finished = new Promise<void>((resolve, reject) => (this.#finished = { resolve, reject }));
    void this.#begin();
    return finished;
  }

  /**
   * Drains by `deadline` (default: 30 s from now): agents are told, requests in flight may
   * finish until then and are cut at it. Resolves once stopped; a no-op when not running.
   */
  stop(deadline?: Date): Promise<void> {
    this.#deadline ??= deadline ?? new Date(Date.now() + DEFAULT_GRACE_MS);
    if (this.#state === 'running') return this.#end();
    // Asked while starting: #begin stops as soon as the start is done.
    if (this.#state === 'starting') return new Promise((resolve) => this.onStopped(resolve).onCrashed(() => resolve()));
    return this.#stopping ?? Promise.resolve();
  }

  rotateLogs(): boolean {
    return this.rotate();
  }

  async #begin(): Promise<void> {
    this.#enter('starting');
    this.#call(this.#starting);
    try {
      this.#handle = await this.start();
    } catch (err) {
      this.#crash(err);
      return;
    }
    this.#enter('running');
    this.#call(this.#running);
    if (this.#deadline) await this.#end();
  }

  #end(): Promise<void> {
    this.#stopping ??= (async () => {
      const deadline = this.#deadline!;
      this.#enter('stopping');
      for (const hook of this.#stoppingHooks) this.#guard(() => hook(deadline));
      try {
        await this.#handle!.stop(Math.max(0, deadline.getTime() - Date.now()));
      } catch (err) {
        this.#crash(err);
        return;
      }
      this.#enter('stopped');
      this.#call(this.#stopped);
      this.#finished?.resolve();
    })();
    return this.#stopping;
  }

  #crash(err: unknown): void {
    this.#enter('crashed');
    for (const hook of this.#crashed) this.#guard(() => hook(err));
    this.#finished?.reject(err);
  }

  #enter(to: LifecycleState): void {
    const from = this.#state;
    this.#state = to;
    for (const hook of this.#changes) this.#guard(() => hook(from, to));
  }

  #call(hooks: readonly (() => void)[]): void {
    for (const hook of hooks) this.#guard(hook);
  }

  // A hook that throws must not wedge the lifecycle; it is reported on stderr, once.
  #guard(hook: () => void): void {
    try {
      hook();
    } catch (err) {
      process.stderr.write(`ferry: a ${this.what} lifecycle hook threw: ${messageOf(err)}\n`);
    }
  }
}
