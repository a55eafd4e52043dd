// Logging to a file that logrotate may move away: reopen() starts a new file at the same
// path, so no line is lost to the old (moved) inode after rotation.
import { pino } from 'pino';
import { createLogger, type CreateLoggerOptions, type Logger } from './logger.js';

export interface FileLogger {
  logger: Logger;
  reopen(): void;
}

export function createFileLogger(file: string, options: Omit<CreateLoggerOptions, 'destination' | 'pretty'>): FileLogger {
  // Synchronous like the stderr default: the last lines before a crash are kept.
  const destination = pino.destination({ dest: file, sync: true, mkdir: true });
  return { logger: createLogger({ ...options, pretty: false, destination }), reopen: () => destination.reopen() };
}
