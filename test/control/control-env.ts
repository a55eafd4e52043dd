// A running controller (via the tunnel env) plus what the control-plane tests need: the
// control port, a control certificate on disk, and the real CLI with control flags.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { ferryOnce } from '../../testkit/processes.js';
import { startTunnelEnv, type TunnelEnv } from '../../testkit/tunnel-env.js';

export interface ControlEnv extends TunnelEnv {
  controlPort: number;
  controlUrl: string;
  caFile: string;
  admin: { cert: string; key: string };
  /** `ferry <args>` with --control-url/--ca/--cert/--key added. */
  cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** A raw call to the control API with the admin certificate, a given one, or none. */
  call(method: 'GET' | 'POST', path: string, body?: unknown, auth?: ControlAuth): Promise<{ status: number; json: Record<string, unknown> }>;
}

export type ControlAuth = { cert: string; key: string } | { token: string } | 'none' | 'admin';

export async function startControlEnv(controllerExtra: Record<string, unknown> = {}): Promise<ControlEnv> {
  const env = await startTunnelEnv(controllerExtra);
  const started = await env.controller.waitForMsg('controller started');
  const controlPort = Number(started.control);
  const controlUrl = `https://127.0.0.1:${controlPort}`;
  const caFile = join(env.dir, 'ca.crt');
  const issued = await env.ca.issueClient({ kind: 'control', name: 'admin' });
  const admin = { cert: join(env.dir, 'control-admin.crt'), key: join(env.dir, 'control-admin.key') };
  await writeFile(admin.cert, issued.certPem);
  await writeFile(admin.key, issued.keyPem, { mode: 0o600 });
  const { readFileSync } = await import('node:fs');
  const pem = (f: string) => readFileSync(f, 'utf8');
  return {
    ...env,
    controlPort,
    controlUrl,
    caFile,
    admin,
    cli: (args, extraEnv = {}) =>
      ferryOnce([...args, '--control-url', controlUrl, '--ca', caFile, '--cert', admin.cert, '--key', admin.key], { env: extraEnv }),
    async call(method, path, body, auth = 'admin') {
      const creds = auth === 'admin' ? admin : auth === 'none' || 'token' in auth ? undefined : auth;
      const dispatcher = new Agent({ connect: { ca: env.ca.certPem, cert: creds && pem(creds.cert), key: creds && pem(creds.key) } });
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (typeof auth === 'object' && 'token' in auth) headers.authorization = `Bearer ${auth.token}`;
        const res = await request(`${controlUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
          dispatcher,
        });
        const text = await res.body.text();
        return { status: res.statusCode, json: JSON.parse(text) as Record<string, unknown> };
      } finally {
        await dispatcher.close();
      }
    },
  };
}
