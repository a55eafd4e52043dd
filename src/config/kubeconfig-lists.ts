// A kubeconfig's named lists (clusters, users, contexts) as both kubeconfig writers merge
// them: the controller's get-creds answer and `ferry user login`.
import { FerryError } from '../errors.js';

export interface Named {
  name: string;
  [key: string]: unknown;
}

/** The list under `key` of an existing kubeconfig (none: empty); anything else is refused. */
export function namedListOf(doc: Record<string, unknown>, key: string): Named[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && typeof (x as Named).name === 'string')) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `existing kubeconfig: "${key}" is not a list of named entries`);
  }
  return v as Named[];
}
