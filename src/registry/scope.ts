// Registry scopes (`repository:team/app:pull,push`, `registry:catalog:*`): parsed, checked
// and merged, so a request naming one repository twice asks once for the union.
import { FerryError } from '../errors.js';

/** One resource of a token's `access` claim. */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

// A resource type, optionally with a class: `repository`, `repository(plugin)`.
const TYPE = /^[a-z0-9]+(\([a-z0-9]+\))?$/;
const ACTION = /^([a-z]+|\*)$/;
/** Enough for any real client (skopeo asks for two or three); a megabyte of them is refused. */
export const MAX_SCOPES = 100;
const MAX_SCOPE_CHARS = 512;

/**
 * `type:name:actions`; the name may hold `:` (a `host:port/` prefix), so the type ends at the
 * first colon and the actions begin after the last one.
 */
export function parseScope(scope: string): Access {
  if (scope.length > MAX_SCOPE_CHARS) throw new FerryError('FERRY_ERR_BAD_INPUT', `scope longer than ${MAX_SCOPE_CHARS} characters`);
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) throw new FerryError('FERRY_ERR_BAD_INPUT', `malformed scope ${JSON.stringify(scope)}: want type:name:actions`);
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope.slice(last + 1).split(',').filter((a) => a !== '');
  if (!TYPE.test(type)) throw new FerryError('FERRY_ERR_BAD_INPUT', `malformed scope ${JSON.stringify(scope)}: bad resource type`);
  if (name === '') throw new FerryError('FERRY_ERR_BAD_INPUT', `malformed scope ${JSON.stringify(scope)}: empty name`);
  if (actions.length === 0 || !actions.every((a) => ACTION.test(a))) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `malformed scope ${JSON.stringify(scope)}: actions are a comma-separated list of words or *`);
  }
  return { type, name, actions };
}

/** Every `scope` value (each may itself hold several, space-separated), merged per resource. */
export function parseScopes(values: readonly string[]): Access[] {
  const merged = new Map<string, Access>();
  let count = 0;
  for (const value of values) {
    for (const part of value.split(' ')) {
      if (part === '') continue;
      if (++count > MAX_SCOPES) throw new FerryError('FERRY_ERR_BAD_INPUT', `more than ${MAX_SCOPES} scopes in one request`);
      const access = parseScope(part);
      const key = `${access.type}\n${access.name}`;
      const seen = merged.get(key);
      if (!seen) merged.set(key, access);
      else for (const a of access.actions) if (!seen.actions.includes(a)) seen.actions.push(a);
    }
  }
  return [...merged.values()];
}

export function formatScope(access: Access): string {
  return `${access.type}:${access.name}:${access.actions.join(',')}`;
}
