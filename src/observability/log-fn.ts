// The narrow logging seam the tunnel code takes, so it needs no logger library to test.
import type { Logger } from 'pino';

export type LogLevel = 'info' | 'warn' | 'debug';
export type LogFn = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function logFnOf(logger: Logger): LogFn {
  return (level, msg, fields) => {
    if (fields) logger[level](fields, msg);
    else logger[level](msg);
  };
}
