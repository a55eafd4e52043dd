// A kubeconfig exec credential plugin (client.authentication.k8s.io/v1): run the
// command, read the ExecCredential it prints, and keep it until its
// expirationTimestamp (a little before, so a request never carries an expiring token).
// Concurrent callers share one run. Failures name the command and exit code only.
import { execFile } from 'node:child_process';
import { z } from 'zod';
import type { KubeExec } from './kubeconfig.js';

const execCredentialSchema = z.object({
  kind: z.literal('ExecCredential'),
  status: z.object({
    token: z.string().optional(),
    clientCertificateData: z.string().optional(),
    clientKeyData: z.string().optional(),
    expirationTimestamp: z.string().optional(),
  }),
});

export interface ExecResult {
  token?: string;
  cert?: string;
  key?: string;
}

const EARLY_MS = 10_000;
const RUN_TIMEOUT_MS = 30_000;

export class ExecCredentialCache {
  private cached: ExecResult | undefined;
  private expiresAt = 0;
  private running: Promise<ExecResult> | undefined;
  /** How many times the plugin ran (tests, metrics). */
  runs = 0;
  problem: string | undefined;

  constructor(
    private readonly exec: KubeExec,
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get(now = Date.now()): Promise<ExecResult> {
    if (this.cached && now < this.expiresAt) return Promise.resolve(this.cached);
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<ExecResult> {
    this.runs++;
    const env: NodeJS.ProcessEnv = { ...this.env };
    for (const e of this.exec.env ?? []) env[e.name] = e.value;
    env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion: this.exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
    const what = `exec plugin ${this.exec.command}`;
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(this.exec.command, this.exec.args ?? [], { cwd: this.cwd, env, timeout: RUN_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (err, out) => {
          if (err) {
            const code: unknown = (err as { code?: unknown }).code;
            const why = typeof code === 'number' ? `exit code ${String(code)}` : err.killed ? 'timed out' : `failed to start (${typeof code === 'string' ? code : 'error'})`;
            reject(new Error(why));
          } else resolve(out);
        });
      });
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        throw new Error('printed no JSON ExecCredential');
      }
      const parsed = execCredentialSchema.safeParse(json);
      if (!parsed.success) throw new Error('printed something that is not an ExecCredential');
      const s = parsed.data.status;
      if (!s.token && !(s.clientCertificateData && s.clientKeyData)) throw new Error('ExecCredential has neither a token nor a client certificate');
      const result: ExecResult = { token: s.token, cert: s.clientCertificateData, key: s.clientKeyData };
      const expiry = s.expirationTimestamp ? Date.parse(s.expirationTimestamp) : NaN;
      // No expiry: good until the agent restarts or reloads (as client-go does).
      this.expiresAt = Number.isFinite(expiry) ? expiry - EARLY_MS : Number.POSITIVE_INFINITY;
      this.cached = result;
      this.problem = undefined;
      return result;
    } catch (err) {
      this.cached = undefined;
      this.problem = `${what} failed: ${(err as Error).message}`;
      throw err;
    }
  }

  /** SIGHUP or a 401: forget the cached credential. */
  invalidate(): void {
    this.cached = undefined;
    this.expiresAt = 0;
  }
}
