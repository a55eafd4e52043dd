// How a schema's complaints about config data read to an operator: one problem per key,
// in ferry's words ("missing required key", "expected mapping, got list"), secrets never
// shown. Shared by the YAML loader and the from-object loader so both say the same.
import type { z } from 'zod';
import { formatKeyPath, type ConfigProblem } from './config-error.js';
import { looksSecret } from './secret-keys.js';

type Issue = z.core.$ZodIssue;
/** Where a problem sits: the YAML loader adds file positions, the object loader only a label. */
export type PlaceProblem<P extends ConfigProblem> = (path: readonly PropertyKey[], target: 'value' | 'key', problem: string) => P;

export function issueProblems<P extends ConfigProblem>(issues: readonly Issue[], data: unknown, place: PlaceProblem<P>): P[] {
  const problems: P[] = [];
  for (const issue of withoutFollowOns(issues)) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(place([...issue.path, key], 'key', 'unknown key'));
      continue;
    }
    // Absent and rejected means required, whatever the schema's own wording (custom
    // schemas such as listenSchema see `undefined` like any other bad input).
    if (!hasPath(data, issue.path)) {
      problems.push(place(issue.path, 'value', 'missing required key'));
      continue;
    }
    problems.push(place(issue.path, 'value', describeIssue(issue, valueAt(data, issue.path), looksSecret(issue.path))));
  }
  return problems;
}

// zod 4 keeps running checks after a type mismatch ("expected string" then "too small:
// expected array to have >=20 items"); the type mismatch is the one worth reading.
function withoutFollowOns(issues: readonly Issue[]): Issue[] {
  const mistyped = new Set(issues.filter((i) => i.code === 'invalid_type').map((i) => formatKeyPath(i.path)));
  return issues.filter((i) => i.code === 'invalid_type' || !mistyped.has(formatKeyPath(i.path)));
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function step(node: unknown, segment: PropertyKey): { found: boolean; value: unknown } {
  if (Array.isArray(node) && typeof segment === 'number') return { found: segment < node.length, value: node[segment] };
  if (isMapping(node) && Object.hasOwn(node, segment)) return { found: true, value: node[segment as string] };
  return { found: false, value: undefined };
}

function hasPath(root: unknown, path: readonly PropertyKey[]): boolean {
  let node = root;
  for (const segment of path) {
    const next = step(node, segment);
    if (!next.found) return false;
    node = next.value;
  }
  return true;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) node = step(node, segment).value;
  return node;
}

const KIND_NAMES: Record<string, string> = { object: 'mapping', array: 'list' };

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return KIND_NAMES[typeof value] ?? typeof value;
}

function shown(value: unknown, secret: boolean): string {
  if (secret || !['string', 'number', 'boolean'].includes(typeof value)) return '';
  const text = String(value);
  return ` ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : value)}`;
}

function describeIssue(issue: Issue, value: unknown, secret: boolean): string {
  if (issue.code === 'invalid_type') {
    return `expected ${KIND_NAMES[issue.expected] ?? issue.expected}, got ${kindOf(value)}${shown(value, secret)}`;
  }
  const got = shown(value, secret);
  const suffix = got === '' ? '' : ` (got${got})`;
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((v) => JSON.stringify(v));
    return `${allowed.length === 1 ? `expected ${allowed[0]}` : `expected one of ${allowed.join(', ')}`}${suffix}`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  // A custom refinement might quote the input; under a secret-looking key, say less.
  if (secret && typeof value === 'string' && value !== '' && message.includes(value)) return 'invalid value (not shown: the key may hold a secret)';
  return `${message}${suffix}`;
}
