// The whole path kubectl takes in production, on one machine: the Kubernetes API
// stand-in, a controller, an agent with a `kubernetes` service (the stand-in's token as
// its service-account token, the stand-in's CA), and a kubeconfig written by
// `ferry get-creds kubectl`. kubectl runs for real (the dispatcher picks v1.32).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type tap from 'tap';
import type { Test } from 'tap';
import { startKubeApiServer, type KubeApiServerOptions, type KubeStandIn } from '../fixtures/kube-apiserver/index.js';
import { startControlEnv, type ControlEnv } from '../control/control-env.js';
import type { FerryProcess } from '../../testkit/processes.js';

export const KUBE_TOKEN = 'standin-sa-token-7f3c';
export const AGENT = 'k1';

export interface KubectlEnv {
  kube: KubeStandIn;
  ferry: ControlEnv;
  agent: FerryProcess;
  /** The kubeconfig get-creds wrote; its only context is current. */
  kubeconfig: string;
  /** The ferry JWT inside it (the client's own credential). */
  clientToken: string;
  dir: string;
}

export interface KubectlEnvOptions {
  stand?: Omit<KubeApiServerOptions, 'token'>;
  impersonate?: boolean;
  user?: string;
  groups?: string[];
  /** Added to the controller's config (oidc:, login:…). */
  controller?: Record<string, unknown>;
}

/** Starts everything; torn down when `t` (usually the file's root tap) ends. */
export async function startKubectlEnv(t: Test | typeof tap, opts: KubectlEnvOptions = {}): Promise<KubectlEnv> {
  const kube = await startKubeApiServer({ ...opts.stand, token: KUBE_TOKEN });
  const ferry = await startControlEnv(opts.controller);
  t.teardown(async () => {
    // A failure in CI is only diagnosable from what the processes logged.
    if (!t.passing()) t.comment(`controller's last log lines:\n${ferry.controller.raw.slice(-40).join('\n')}`);
    await ferry.close();
    await kube.close();
  });
  const dir = ferry.dir;
  await mkdir(join(dir, 'home'));
  const tokenFile = join(dir, 'kube-sa-token');
  const caFile = join(dir, 'kube-ca.crt');
  await writeFile(tokenFile, `${KUBE_TOKEN}\n`, { mode: 0o600 });
  await writeFile(caFile, kube.caPem);
  const agent = await ferry.startAgent(AGENT, [
    {
      type: 'kubernetes',
      name: 'default',
      url: kube.url,
      kubernetes: { inCluster: { tokenFile, caFile }, impersonate: opts.impersonate ?? false },
    },
  ]);
  t.teardown(() => {
    if (!t.passing()) t.comment(`agent's last log lines:\n${agent.raw.slice(-40).join('\n')}`);
  });
  const kubeconfig = join(dir, 'kubeconfig');
  const args = ['get-creds', 'kubectl', '--agent', AGENT, '--kubeconfig', kubeconfig, '--namespace', 'default'];
  if (opts.user) args.push('--user', opts.user);
  for (const g of opts.groups ?? []) args.push('--group', g);
  const res = await ferry.cli(args);
  if (res.code !== 0) throw new Error(`get-creds kubectl failed: ${res.stderr}`);
  const text = await readFile(kubeconfig, 'utf8');
  const clientToken = /token: (\S+)/.exec(text)?.[1];
  if (!clientToken) throw new Error(`no token in the kubeconfig:\n${text}`);
  // get-creds leaves current-context alone when merging; a fresh file gets ours, make sure.
  if (!/current-context: ferry-/.test(text)) throw new Error(`kubeconfig has no ferry current-context:\n${text}`);
  kube.createPod('default', { metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } });
  kube.createPod('kube-system', { metadata: { name: 'coredns-1' }, spec: { containers: [{ name: 'coredns', image: 'coredns:1.11' }] } });
  return { kube, ferry, agent, kubeconfig, clientToken, dir };
}

export interface KubectlResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

function kubectlEnv(env: KubectlEnv, kubeconfig = env.kubeconfig): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(env.dir, 'home'), KUBECONFIG: kubeconfig };
}

export function kubectl(env: KubectlEnv, args: string[], opts: { stdin?: Buffer; timeoutMs?: number; kubeconfig?: string } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: kubectlEnv(env, opts.kubeconfig), stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin);
  });
}

export interface LongKubectl {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  stderr(): string;
  /** Resolves once stdout contains `text` (or matches it). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
}

/** Starts a long-running kubectl and watches its output. */
export function kubectlLong(env: KubectlEnv, args: string[]): LongKubectl {
  const child = spawn('kubectl', args, { env: kubectlEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string | RegExp; resolve: () => void }[] = [];
  const seen = (text: string | RegExp): boolean => (typeof text === 'string' ? out.includes(text) : text.test(out));
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.filter((x) => seen(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    stderr: () => err,
    waitFor: (text, ms = 20_000) =>
      seen(text)
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stdout=${out} stderr=${err}`)), ms);
            waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
          }),
  };
}

export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
