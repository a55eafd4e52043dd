// One error for everything wrong with a config, listing each problem on its own line as
// "<file>:<line>:<col>: <key>: <problem>" (or "env <VAR>: <key>: <problem>"), first first.
import { FerryError } from '../errors.js';

export interface ConfigProblem {
  /** The config file, when the problem is in it. */
  file?: string;
  /** 1-based line and column in the file. */
  line?: number;
  column?: number;
  /** The environment variable whose value is at fault, when it is one. */
  env?: string;
  /** Dotted key path ("frontDoor.listen", "services[2].name"); '' for the document itself. */
  key: string;
  problem: string;
}

export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

export function formatProblem(p: ConfigProblem): string {
  let where: string;
  if (p.env !== undefined) where = `env ${p.env}`;
  else if (p.line !== undefined) where = `${p.file ?? '<config>'}:${p.line}:${p.column ?? 1}`;
  else where = p.file ?? '<config>';
  return p.key === '' ? `${where}: ${p.problem}` : `${where}: ${p.key}: ${p.problem}`;
}

/** FERRY_ERR_BAD_CONFIG carrying every problem found, for --check-config style reports. */
export class ConfigError extends FerryError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super('FERRY_ERR_BAD_CONFIG', problems.map(formatProblem).join('\n'), options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
