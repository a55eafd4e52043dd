// Config given as an object (an embedding application) instead of a YAML file: the same
// schema and the same problem wording as the file loader, each problem named by key.
import type { z } from 'zod';
import { ConfigError, formatKeyPath } from './config-error.js';
import { issueProblems } from './issue-problems.js';

export interface ConfigObjectOptions {
  /** Relative paths in the config (certificates, keys, state) are resolved against this folder. */
  baseDir: string;
  /** Names the config in error messages and in the result's `file` (default "<config>"). */
  label?: string;
}

export const DEFAULT_CONFIG_LABEL = '<config>';

/** Validates `data` with `schema`; throws a ConfigError listing every problem at once. */
export function parseConfigObject<T>(data: unknown, schema: z.ZodType<T>, label: string = DEFAULT_CONFIG_LABEL): T {
  // Like an empty file: each missing key gets its own line.
  const input = data === null || data === undefined ? {} : data;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(issueProblems(result.error.issues, input, (path, _target, problem) => ({ file: label, key: formatKeyPath(path), problem })));
}
