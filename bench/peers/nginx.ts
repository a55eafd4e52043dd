// nginx twice: the upstream serving the files (the same upstream for every path), and an
// HTTPS reverse proxy in front of both upstreams, as one would deploy it. One worker each,
// like one ferry process per hop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../testkit/net.js';

export interface NginxProcess {
  port: number;
  ports: number[];
  child: ChildProcess;
  stop(): Promise<void>;
}

async function runNginx(dir: string, name: string, http: string, ports: number[]): Promise<NginxProcess> {
  const prefix = join(dir, name);
  await mkdir(join(prefix, 'tmp'), { recursive: true });
  const conf = `
user root;
worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
worker_rlimit_nofile 40000;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
${http}
}
`;
  await writeFile(join(prefix, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', prefix, '-e', `${prefix}/error.log`, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  try {
    for (const p of ports) await waitForPort(p, `nginx ${name}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${stderr}`, { cause: err });
  }
  return {
    port: ports[0]!,
    ports,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** nginx serving `www` on plain HTTP. */
export async function startFilesUpstream(dir: string, www: string): Promise<NginxProcess> {
  const port = await freePort();
  const http = `
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    root ${www};
  }`;
  return runNginx(dir, 'nginx-upstream', http, [port]);
}

/** nginx terminating TLS 1.3 (h1 and h2) and proxying with pooled keep-alive connections. */
export async function startHttpsProxy(dir: string, cert: string, key: string, filesPort: number, nodePort: number): Promise<NginxProcess> {
  const filesFront = await freePort();
  const nodeFront = await freePort();
  // Streams (watch-like responses) need proxy_buffering off, as anyone proxying them sets;
  // files keep nginx's default buffering but never spill to temp files.
  const server = (listen: number, upstream: string, buffering: string) => `
  server {
    listen 127.0.0.1:${listen} ssl http2 backlog=4096;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.3;
    client_max_body_size 0;
    location / {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
      proxy_max_temp_file_size 0;
      proxy_buffering ${buffering};
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
    }
  }`;
  const http = `
  upstream files { server 127.0.0.1:${filesPort}; keepalive 512; }
  upstream node { server 127.0.0.1:${nodePort}; keepalive 512; }
  ${server(filesFront, 'files', 'on')}
  ${server(nodeFront, 'node', 'off')}`;
  return runNginx(dir, 'nginx-proxy', http, [filesFront, nodeFront]);
}
