// Kubeconfigs for ferry credentials: one cluster, user and context per agent service,
// and a merge into an existing file that works like osprey's: entries are replaced by
// name, everything else is left alone, and a context's chosen namespace is kept.
import { FerryError } from '../../errors.js';
import { namedListOf, type Named } from '../../config/kubeconfig-lists.js';

export interface KubeconfigEntry {
  /** Name of the cluster, user and context (they share it). */
  name: string;
  server: string;
  caPem: string;
  token: string;
  namespace?: string;
}


export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context': string;
  preferences: Record<string, unknown>;
  [key: string]: unknown;
}

function parts(entry: KubeconfigEntry): { cluster: Named; user: Named; context: Named } {
  const context: Record<string, unknown> = { cluster: entry.name, user: entry.name };
  if (entry.namespace) context.namespace = entry.namespace;
  return {
    cluster: {
      name: entry.name,
      cluster: { server: entry.server, 'certificate-authority-data': Buffer.from(entry.caPem).toString('base64') },
    },
    user: { name: entry.name, user: { token: entry.token } },
    context: { name: entry.name, context },
  };
}

export function buildKubeconfig(entry: KubeconfigEntry): Kubeconfig {
  const p = parts(entry);
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [p.cluster],
    users: [p.user],
    contexts: [p.context],
    'current-context': entry.name,
    preferences: {},
  };
}

function upsert(list: Named[], item: Named): Named[] {
  const i = list.findIndex((x) => x.name === item.name);
  if (i < 0) return [...list, item];
  const out = [...list];
  out[i] = item;
  return out;
}

/** Merges `entry` into an existing kubeconfig document (parsed YAML; undefined for none). */
export function mergeKubeconfig(existing: unknown, entry: KubeconfigEntry): Kubeconfig {
  if (existing === undefined || existing === null) return buildKubeconfig(entry);
  if (typeof existing !== 'object' || Array.isArray(existing)) throw new FerryError('FERRY_ERR_BAD_INPUT', 'existing kubeconfig is not a YAML mapping');
  const doc = existing as Record<string, unknown>;
  const contexts = namedListOf(doc, 'contexts');
  const old = contexts.find((c) => c.name === entry.name)?.context as Record<string, unknown> | undefined;
  const keptNamespace = typeof old?.namespace === 'string' ? old.namespace : undefined;
  const p = parts({ ...entry, namespace: entry.namespace ?? keptNamespace });
  const current = doc['current-context'];
  return {
    ...doc,
    apiVersion: 'v1',
    kind: 'Config',
    clusters: upsert(namedListOf(doc, 'clusters'), p.cluster),
    users: upsert(namedListOf(doc, 'users'), p.user),
    contexts: upsert(contexts, p.context),
    'current-context': typeof current === 'string' && current !== '' ? current : entry.name,
    preferences: (doc.preferences as Record<string, unknown> | undefined) ?? {},
  };
}
