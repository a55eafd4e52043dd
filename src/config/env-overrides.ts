// Environment variables override documented config keys (FERRY_FRONTDOOR_LISTEN →
// frontDoor.listen). Only keys named in an explicit map can be overridden, so a typo'd
// variable cannot silently reshape the config and a stray variable cannot inject keys.
import { parse as parseYaml } from 'yaml';
import { FerryError } from '../errors.js';

export interface EnvOverrideOptions {
  /** Where to read variables from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Prepended to every name in envMap, e.g. 'FERRY_' with { FRONTDOOR_LISTEN: 'frontDoor.listen' }. */
  envPrefix?: string;
  /** Variable name (after the prefix) → dotted key path it overrides. */
  envMap?: Record<string, string>;
}

export interface EnvOverride {
  env: string;
  path: string[];
  /** The variable's text, used first. */
  raw: string;
  /** The text read as a YAML scalar/flow value ("30" → 30, "true" → true, "[a, b]" → list), tried when the raw string is rejected. */
  typed: unknown;
}

function readAsYaml(raw: string): unknown {
  try {
    const value: unknown = parseYaml(raw);
    return value === null || value === undefined ? raw : value;
  } catch {
    return raw;
  }
}

/** The overrides that are set (an empty variable counts as unset, as compose files often leave them). */
export function collectEnvOverrides(options: EnvOverrideOptions): EnvOverride[] {
  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? '';
  const overrides: EnvOverride[] = [];
  for (const [name, dotted] of Object.entries(options.envMap ?? {})) {
    const path = dotted.split('.');
    if (path.some((segment) => segment === '')) {
      throw new FerryError('FERRY_ERR_INTERNAL', `env override ${prefix}${name}: bad key path "${dotted}"`);
    }
    const raw = env[prefix + name];
    if (raw === undefined || raw === '') continue;
    overrides.push({ env: prefix + name, path, raw, typed: readAsYaml(raw) });
  }
  return overrides;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets path in root, creating mappings on the way; returns a problem text when a parent is not a mapping. */
export function setAtPath(root: Record<string, unknown>, path: readonly string[], value: unknown): string | undefined {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const next = node[segment];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
    } else if (isPlainObject(next)) {
      node = next;
    } else {
      return `cannot set: ${path.slice(0, i + 1).join('.')} in the config file is not a mapping`;
    }
  }
  node[path[path.length - 1]!] = value;
  return undefined;
}

export function startsWithPath(path: readonly PropertyKey[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(path[i]) === segment);
}
