// The agent's kubeconfig reader accepts what kubectl accepts (issue 17): each file here is
// first checked with kubectl itself (`kubectl config view --minify` exits 0), then read by
// ferry. proxy-url, which the agent cannot honour, is refused with a reason.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { readKubeTarget } from '../../src/services/kubeconfig.js';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'ferry-kubeconfig-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

async function kubectlAccepts(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  const { stdout } = await run('kubectl', ['config', 'view', '--minify', '--kubeconfig', file, '-o', 'jsonpath={.clusters[0].cluster.server}'], { env: { PATH: process.env['PATH'], HOME: dir } });
  return stdout;
}

const cases: { name: string; text: string; want: Record<string, unknown> }[] = [
  {
    name: 'no users section',
    text: 'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}\ncontexts:\n- name: c\n  context: {cluster: k}\n',
    want: { server: 'https://10.0.0.1:6443', insecure: true, token: undefined },
  },
  {
    name: 'users: null, preferences and extensions',
    text: 'apiVersion: v1\nkind: Config\npreferences: {}\ncurrent-context: c\nusers: null\nclusters:\n- name: k\n  cluster: {server: "https://k.example:6443", extensions: []}\ncontexts:\n- name: c\n  context: {cluster: k, namespace: apps}\n',
    want: { server: 'https://k.example:6443', insecure: false },
  },
  {
    name: 'a user with an empty entry',
    text: 'apiVersion: v1\nkind: Config\ncurrent-context: c\nusers:\n- name: u\n  user: {}\nclusters:\n- name: k\n  cluster: {server: "https://k.example"}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n',
    want: { server: 'https://k.example' },
  },
];

for (const c of cases) {
  void t.test(c.name, async (t) => {
    const server = await kubectlAccepts(`${c.name.replace(/\W+/g, '-')}.yaml`, c.text);
    t.equal(server, c.want['server'], 'kubectl accepts it');
    const target = await readKubeTarget(c.text, join(dir, 'k.yaml'));
    t.match(target, c.want, 'ferry reads it');
  });
}

void t.test('proxy-url is refused clearly', async (t) => {
  const text = 'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: "https://k.example", proxy-url: "http://proxy:3128"}\ncontexts:\n- name: c\n  context: {cluster: k}\n';
  t.equal(await kubectlAccepts('proxy.yaml', text), 'https://k.example', 'kubectl accepts it');
  await t.rejects(readKubeTarget(text, '/etc/ferry/prod.kubeconfig'), { code: 'FERRY_ERR_BAD_CONFIG', message: /kubeconfig \/etc\/ferry\/prod\.kubeconfig: cluster "k" sets proxy-url, which ferry's agent does not support/ });
});
