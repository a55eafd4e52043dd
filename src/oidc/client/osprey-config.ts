// The client's config file, in osprey's shape (apiVersion v2: kubeconfig, default-group,
// providers.osprey[] with targets, aliases, groups, CA), plus ferry's `providers.oidc[]` for
// targets whose users log in at the identity provider itself (browser or device code).
// Group rules as osprey's: ungrouped targets form <ungrouped>; a default group requires every
// target to have a group; an unknown group is an error.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfigText } from '../../config/load-yaml.js';
import { FerryError } from '../../errors.js';

export const UNGROUPED = '<ungrouped>';

const caFields = {
  'certificate-authority': z.string().min(1).optional(),
  'certificate-authority-data': z.string().min(1).optional(),
};

const targetSchema = z.strictObject({
  server: z.url(),
  aliases: z.array(z.string().min(1)).default([]),
  /** osprey's v1 spelling. */
  alias: z.array(z.string().min(1)).optional(),
  groups: z.array(z.string().min(1)).default([]),
  ...caFields,
});

const ospreyProviderSchema = z.strictObject({
  'provider-name': z.string().optional(),
  ...caFields,
  targets: z.record(z.string().min(1), targetSchema),
});

const oidcProviderSchema = z.strictObject({
  'provider-name': z.string().optional(),
  'issuer-url': z.url(),
  'client-id': z.string().min(1),
  /** CA of the identity provider. */
  'issuer-certificate-authority': z.string().min(1).optional(),
  'grant-type': z.enum(['authcode', 'device']).default('authcode'),
  'listen-ports': z.array(z.number().int().min(0).max(65535)).optional(),
  /** CA of the targets' API servers (ferry's front door). */
  ...caFields,
  targets: z.record(z.string().min(1), targetSchema),
});

export const clientConfigSchema = z.strictObject({
  apiVersion: z.literal('v2').optional(),
  kubeconfig: z.string().min(1).optional(),
  'default-group': z.string().min(1).optional(),
  providers: z.strictObject({ osprey: z.array(ospreyProviderSchema).default([]), oidc: z.array(oidcProviderSchema).default([]) }),
});

export type ClientConfig = z.infer<typeof clientConfigSchema>;

export interface Target {
  name: string;
  server: string;
  aliases: string[];
  groups: string[];
  /** PEM of the CA for `server`, if configured. */
  caPem?: string;
  provider: { kind: 'osprey' } | { kind: 'oidc'; issuer: string; clientId: string; issuerCaFile?: string; grant: 'authcode' | 'device'; listenPorts?: number[] };
}

export interface LoadedClientConfig {
  file: string;
  kubeconfig: string;
  defaultGroup?: string;
  targets: Target[];
}

export function defaultClientConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env['FERRY_CLIENT_CONFIG'] || join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'ferry', 'config');
}

async function caOf(data: string | undefined, file: string | undefined, base: string): Promise<string | undefined> {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (!file) return undefined;
  const path = resolve(base, file);
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `certificate-authority: cannot read ${path}`);
  }
}

export async function loadClientConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedClientConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `${file}: cannot read the client config (give --config, or $FERRY_CLIENT_CONFIG)`);
  }
  const raw = parseConfigText(text, file, clientConfigSchema);
  const base = dirname(resolve(file));
  const targets: Target[] = [];
  const seen = new Set<string>();
  const add = async (name: string, t: z.infer<typeof targetSchema>, providerCa: string | undefined, provider: Target['provider']) => {
    if (seen.has(name)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${file}: target ${name} is defined twice`);
    seen.add(name);
    const caPem = (await caOf(t['certificate-authority-data'], t['certificate-authority'], base)) ?? providerCa;
    targets.push({ name, server: t.server.replace(/\/$/, ''), aliases: [...t.aliases, ...(t.alias ?? [])], groups: t.groups, ...(caPem ? { caPem } : {}), provider });
  };
  for (const p of raw.providers.osprey) {
    const ca = await caOf(p['certificate-authority-data'], p['certificate-authority'], base);
    for (const [name, t] of Object.entries(p.targets)) await add(name, t, ca, { kind: 'osprey' });
  }
  for (const p of raw.providers.oidc) {
    const ca = await caOf(p['certificate-authority-data'], p['certificate-authority'], base);
    const provider: Target['provider'] = {
      kind: 'oidc',
      issuer: p['issuer-url'],
      clientId: p['client-id'],
      grant: p['grant-type'],
      ...(p['issuer-certificate-authority'] ? { issuerCaFile: resolve(base, p['issuer-certificate-authority']) } : {}),
      ...(p['listen-ports'] ? { listenPorts: p['listen-ports'] } : {}),
    };
    for (const [name, t] of Object.entries(p.targets)) await add(name, t, ca, provider);
  }
  const defaultGroup = raw['default-group'];
  if (defaultGroup !== undefined) {
    const ungrouped = targets.filter((t) => t.groups.length === 0).map((t) => t.name);
    if (ungrouped.length > 0) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${file}: default group ${defaultGroup} shadows ungrouped targets: ${ungrouped.join(', ')}`);
  }
  const kubeconfig = raw.kubeconfig ? resolve(base, raw.kubeconfig) : (env['KUBECONFIG']?.split(':')[0] || join(env['HOME'] || homedir(), '.kube', 'config'));
  return { file, kubeconfig, ...(defaultGroup ? { defaultGroup } : {}), targets };
}

export function groupsOf(config: LoadedClientConfig): string[] {
  const names = new Set<string>();
  for (const t of config.targets) {
    if (t.groups.length === 0) names.add(UNGROUPED);
    for (const g of t.groups) names.add(g);
  }
  return [...names].sort((a, b) => (a === UNGROUPED ? -1 : b === UNGROUPED ? 1 : a.localeCompare(b)));
}

export function targetsInGroup(config: LoadedClientConfig, group: string): Target[] {
  return config.targets.filter((t) => (group === UNGROUPED ? t.groups.length === 0 : t.groups.includes(group))).sort((a, b) => a.name.localeCompare(b.name));
}

/** The group a command works on (given, else default, else <ungrouped>) and its targets, maybe narrowed to named ones. */
export function selectTargets(config: LoadedClientConfig, group: string | undefined, names: readonly string[] = []): { group: string; explicit: boolean; targets: Target[] } {
  const chosen = group ?? config.defaultGroup ?? UNGROUPED;
  if (group !== undefined && !groupsOf(config).includes(group)) throw new FerryError('FERRY_ERR_BAD_INPUT', `group not found: ${group}`);
  let targets = names.length > 0 && group === undefined ? config.targets : targetsInGroup(config, chosen);
  if (names.length > 0) {
    const unknown = names.filter((n) => !targets.some((t) => t.name === n || t.aliases.includes(n)));
    if (unknown.length > 0) throw new FerryError('FERRY_ERR_BAD_INPUT', `target not found: ${unknown.join(', ')}`);
    targets = targets.filter((t) => names.includes(t.name) || t.aliases.some((a) => names.includes(a)));
  }
  return { group: chosen, explicit: group !== undefined || config.defaultGroup !== undefined, targets };
}
