// Reads the parts of a kubeconfig the agent needs: the cluster (server, CA, server
// name) and the user's credential (token, token file, client certificate, exec plugin,
// basic). Paths inside are relative to the kubeconfig's folder, as kubectl reads them.
// Messages name fields and files, never their values.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { FerryError } from '../errors.js';

const execSchema = z.object({
  apiVersion: z.string().default('client.authentication.k8s.io/v1'),
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
});

export type KubeExec = z.infer<typeof execSchema>;

// As kubectl reads it: every list may be missing or null (a kubeconfig with no `users:` is
// valid: the cluster is called without credentials), unknown keys are ignored.
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((v) => v ?? []);

const kubeconfigSchema = z.object({
  'current-context': z.string().nullish(),
  clusters: list(
    z.object({
      name: z.string(),
      cluster: z.object({
        server: z.string(),
        'certificate-authority': z.string().optional(),
        'certificate-authority-data': z.string().optional(),
        'insecure-skip-tls-verify': z.boolean().optional(),
        'tls-server-name': z.string().optional(),
        'proxy-url': z.string().optional(),
      }),
    }),
  ),
  users: list(
    z.object({
      name: z.string(),
      user: z
        .object({
          token: z.string().optional(),
          tokenFile: z.string().optional(),
          'client-certificate': z.string().optional(),
          'client-certificate-data': z.string().optional(),
          'client-key': z.string().optional(),
          'client-key-data': z.string().optional(),
          username: z.string().optional(),
          password: z.string().optional(),
          exec: execSchema.optional(),
        })
        .nullish(),
    }),
  ),
  contexts: list(z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string().optional() }) })),
});

export interface KubeTarget {
  server: string;
  ca?: string;
  insecure: boolean;
  serverName?: string;
  token?: string;
  tokenFile?: string;
  cert?: string;
  key?: string;
  username?: string;
  password?: string;
  exec?: KubeExec;
  /** Where an exec plugin runs (the kubeconfig's folder). */
  dir: string;
}

function bad(file: string, why: string): FerryError {
  return new FerryError('FERRY_ERR_BAD_CONFIG', `kubeconfig ${file}: ${why}`);
}

async function fileOrData(file: string, dir: string, path: string | undefined, data: string | undefined, what: string): Promise<string | undefined> {
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  if (path === undefined) return undefined;
  const full = resolve(dir, path);
  try {
    return await readFile(full, 'utf8');
  } catch (err) {
    throw bad(file, `cannot read ${what} ${full} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Parses kubeconfig text (from `file`) for `context` (default: current-context). */
export async function readKubeTarget(text: string, file: string, context?: string): Promise<KubeTarget> {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: false });
  } catch {
    throw bad(file, 'not valid YAML');
  }
  const parsed = kubeconfigSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw bad(file, `${first?.path.join('.') || 'document'}: ${first?.message ?? 'invalid'}`);
  }
  const kc = parsed.data;
  const ctxName = context ?? kc['current-context'];
  if (!ctxName) throw bad(file, 'no context given and no current-context');
  const ctx = kc.contexts.find((c) => c.name === ctxName);
  if (!ctx) throw bad(file, `no context named "${ctxName}"`);
  const cluster = kc.clusters.find((c) => c.name === ctx.context.cluster)?.cluster;
  if (!cluster) throw bad(file, `context "${ctxName}" names cluster "${ctx.context.cluster}", which is not defined`);
  if (cluster['proxy-url']) throw bad(file, `cluster "${ctx.context.cluster}" sets proxy-url, which ferry's agent does not support: it calls the API server directly (remove proxy-url, or use a kubeconfig without it)`);
  const user = ctx.context.user ? kc.users.find((u) => u.name === ctx.context.user)?.user : undefined;
  if (ctx.context.user && user === undefined) throw bad(file, `context "${ctxName}" names user "${ctx.context.user}", which is not defined`);
  const dir = dirname(file);
  const u = user ?? {};
  return {
    server: cluster.server,
    ca: await fileOrData(file, dir, cluster['certificate-authority'], cluster['certificate-authority-data'], 'certificate-authority'),
    insecure: cluster['insecure-skip-tls-verify'] ?? false,
    serverName: cluster['tls-server-name'],
    token: u.token,
    tokenFile: u.tokenFile && resolve(dir, u.tokenFile),
    cert: await fileOrData(file, dir, u['client-certificate'], u['client-certificate-data'], 'client-certificate'),
    key: await fileOrData(file, dir, u['client-key'], u['client-key-data'], 'client-key'),
    username: u.username,
    password: u.password,
    exec: u.exec,
    dir,
  };
}
