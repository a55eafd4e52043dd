// Reads a YAML config, applies documented environment overrides and validates it with a
// (strict) zod schema. Every problem is reported at once as "<file>:<line>:<col>: <key>: <problem>"
// so an operator fixes a file in one pass, not one error per restart.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { messageOf } from '../errors.js';
import { ConfigError, formatKeyPath, type ConfigProblem } from './config-error.js';
import { collectEnvOverrides, setAtPath, startsWithPath, type EnvOverride, type EnvOverrideOptions } from './env-overrides.js';
import { isMapping, issueProblems } from './issue-problems.js';
import { looksSecret } from './secret-keys.js';
import { offsetOfPath, pathAtOffset } from './yaml-positions.js';

export type ConfigLoadOptions = EnvOverrideOptions;
type Issue = z.core.$ZodIssue;
type Placed = ConfigProblem & { offset?: number };

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

export async function loadConfigFile<T>(file: string, schema: z.ZodType<T>, options: ConfigLoadOptions = {}): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = READ_ERRORS[code] ?? (code || 'unreadable');
    throw new ConfigError([{ file, key: '', problem: `cannot read config file: ${reason}` }], { cause: err });
  }
  return parseConfigText(text, file, schema, options);
}

export function parseConfigText<T>(text: string, file: string, schema: z.ZodType<T>, options: ConfigLoadOptions = {}): T {
  const lineCounter = new LineCounter();
  // prettyErrors off: the pretty form quotes the source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const key = formatKeyPath(secretSafePrefix(pathAtOffset(doc, error.pos[0])));
        return { file, line, column: col, key, problem: `YAML syntax error: ${firstLine(error.message)}` };
      }),
    );
  }

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // e.g. an alias bomb ("Excessive alias count indicates a resource exhaustion attack").
    throw new ConfigError([{ file, line: 1, column: 1, key: '', problem: `YAML: ${firstLine(messageOf(err))}` }], { cause: err });
  }
  // An empty file is an empty mapping, so each missing key gets its own line.
  const data: unknown = js === null || js === undefined ? {} : js;
  const overrides = collectEnvOverrides(options);
  const envProblems: Placed[] = [];
  const applied: EnvOverride[] = [];
  if (isMapping(data)) {
    for (const override of overrides) {
      const problem = setAtPath(data, override.path, override.raw);
      if (problem) envProblems.push({ env: override.env, key: override.path.join('.'), problem });
      else applied.push(override);
    }
  }

  let result = schema.safeParse(data);
  if (!result.success && isMapping(data)) {
    // Variables are text; when the schema rejects the text, try it as YAML reads it ("30" → 30).
    let retyped = false;
    for (const override of applied) {
      if (override.typed === override.raw) continue;
      if (!result.error.issues.some((issue) => issueTouches(issue, override.path))) continue;
      setAtPath(data, override.path, override.typed);
      retyped = true;
    }
    if (retyped) result = schema.safeParse(data);
  }
  if (result.success && envProblems.length === 0) return result.data;

  const place = (path: readonly PropertyKey[], target: 'value' | 'key', problem: string): Placed => {
    const key = formatKeyPath(path);
    const override = applied.find((o) => startsWithPath(path, o.path));
    if (override) return { env: override.env, key, problem };
    const offset = offsetOfPath(doc, path, target);
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, key, problem, offset };
  };
  const problems = issueProblems(result.success ? [] : result.error.issues, data, place);
  const fromFile = problems.filter((p) => p.env === undefined).sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
  const fromEnv = [...envProblems, ...problems.filter((p) => p.env !== undefined)];
  throw new ConfigError([...fromFile, ...fromEnv].map(({ offset: _offset, ...problem }) => problem));
}

function issueTouches(issue: Issue, path: readonly string[]): boolean {
  const full = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
  return full.some((p) => startsWithPath(p, path));
}

// In a broken document a secret value can parse as a key; print nothing below a secret-named key.
function secretSafePrefix(path: PropertyKey[]): PropertyKey[] {
  const cut = path.findIndex((_segment, i) => looksSecret(path.slice(0, i + 1)));
  return cut < 0 ? path : path.slice(0, cut + 1);
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

