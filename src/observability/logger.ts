// pino with ferry's defaults: JSON on stderr, readable on a terminal, secrets redacted, and
// debug output switched on per subsystem (FERRY_DEBUG=tunnel,frontdoor) like grpc-js tracers.
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import { redactObject } from './redact.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Program name, logged as `name` on every line. */
  name: string;
  /** Default 'info'. */
  level?: Level;
  /** Human-readable output; default: stderr is a terminal. */
  pretty?: boolean;
  /** Comma list of subsystems to log at debug ("tunnel,frontdoor", "*" for all); default $FERRY_DEBUG. */
  debug?: string;
  /** Where lines go; default stderr (synchronously, so the last lines before a crash are kept). */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** Which subsystems FERRY_DEBUG names; "tunnel" also covers "tunnel.stream". */
export function debugMatcher(spec: string | undefined): (subsystem: string) => boolean {
  const names = (spec ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (names.includes('*') || names.includes('all')) return () => true;
  return (subsystem) => {
    const lower = subsystem.toLowerCase();
    return names.some((name) => lower === name || lower.startsWith(`${name}.`));
  };
}

const DEBUG_LEVEL_VALUE = 20;

export function createLogger(options: CreateLoggerOptions): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const debugEnabled = debugMatcher(options.debug ?? process.env['FERRY_DEBUG']);
  const stream: DestinationStream | NodeJS.WritableStream = pretty
    ? PinoPretty({
        sync: true,
        destination: options.destination ?? 2,
        colorize: options.destination === undefined && process.stderr.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : (options.destination ?? pino.destination({ dest: 2, sync: true }));
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        // Level names read better than numbers in JSON; pino-pretty wants the numbers.
        ...(pretty ? {} : { level: (label: string) => ({ level: label }) }),
        log: redactObject,
        bindings: redactObject,
      },
      // Inherited by every descendant, so a grandchild of a debug subsystem stays at debug.
      onChild: (child) => {
        const subsystem: unknown = child.bindings()['subsystem'];
        if (typeof subsystem === 'string' && debugEnabled(subsystem) && child.levelVal > DEBUG_LEVEL_VALUE) {
          child.level = 'debug';
        }
      },
    },
    stream,
  );
  redactChildBindings(logger);
  return logger;
}

// pino runs formatters.bindings on the root's bindings only; children would serialize
// `child({ token })` untouched. Descendants inherit from the root by prototype, so one
// override covers them all.
function redactChildBindings(logger: Logger): void {
  // Called below with each descendant as `this`, as pino's own method expects.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const child = logger.child;
  Object.defineProperty(logger, 'child', {
    configurable: true,
    writable: true,
    value: function redactedChild(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
      return Reflect.apply(child, this, [redactObject(bindings), options]) as Logger;
    },
  });
}
