// Honest ends (issue 17): an agent SIGKILLed mid-response must reach an h2 client as
// RST_STREAM INTERNAL_ERROR (not NO_ERROR, which reads as a clean end), with node:http2
// and with curl --http2; an HTTP/1.1 chunked client sees a truncated transfer.
import { spawn } from 'node:child_process';
import * as http2 from 'node:http2';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { frontDoorClient } from '../../testkit/client.js';
import { startTunnelEnv } from '../../testkit/tunnel-env.js';
import { startUpstream } from '../fixtures/upstream.js';

const upstream = await startUpstream();
const env = await startTunnelEnv();
const services = [{ type: 'x-stream', name: 'ticks', url: upstream.url }];
const agentConfig = await env.agentConfig('a1', services);
const token = await env.token('a1', 'x-stream', 'ticks');
const caFile = join(env.dir, 'ca-for-curl.crt');
await writeFile(caFile, env.ca.certPem);
t.teardown(async () => {
  await env.close();
  await upstream.close();
});

async function freshAgent() {
  const agent = env.runAgent(agentConfig);
  await agent.waitForMsg('connected to controller');
  return agent;
}

void t.test('h2 (node:http2): RST_STREAM INTERNAL_ERROR when the agent dies mid-response', async (t) => {
  const agent = await freshAgent();
  const session = http2.connect(env.frontDoorUrl, { ca: env.ca.certPem, servername: 'localhost' });
  t.teardown(() => session.close());
  const stream = session.request({ ':path': '/stream', 'x-ferry-token': token });
  let error: unknown;
  stream.on('error', (err: Error) => {
    error = err;
  });
  await new Promise((r) => stream.once('data', r));
  stream.resume();
  agent.child.kill('SIGKILL');
  await new Promise((r) => stream.once('close', r));
  t.equal(stream.rstCode, http2.constants.NGHTTP2_INTERNAL_ERROR, 'RST_STREAM carries INTERNAL_ERROR');
  t.match((error as NodeJS.ErrnoException | undefined)?.code, 'ERR_HTTP2_STREAM_ERROR', 'the client sees a stream error');
});

void t.test('h2 (curl --http2): curl reports the stream error', async (t) => {
  const agent = await freshAgent();
  // Headers to stdout, body to /dev/null.
  const curl = spawn('curl', ['-sS', '--http2', '--cacert', caFile, '-H', `x-ferry-token: ${token}`, `https://localhost:${env.ports.frontDoor}/stream`, '-D', '-', '-o', '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  curl.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  curl.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // Wait until curl has the response head: a kill before it is an honest 502, not this case.
  while (!/^HTTP\/2 200/m.test(stdout) && curl.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  agent.child.kill('SIGKILL');
  const code = await new Promise<number | null>((r) => curl.on('exit', r));
  t.not(code, 0, `curl exits ${code}`);
  t.match(stderr, /INTERNAL_ERROR|err 2|stream error|was not closed cleanly/i, 'curl names the error');
});

void t.test('HTTP/1.1 chunked: the client sees a truncated transfer', async (t) => {
  const agent = await freshAgent();
  const client = frontDoorClient(env.ca.certPem);
  t.teardown(() => client.close());
  const res = await request(`${env.frontDoorUrl}/stream`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  t.equal(res.headers['transfer-encoding'], 'chunked');
  const iter = res.body[Symbol.asyncIterator]();
  await iter.next();
  agent.child.kill('SIGKILL');
  let error: unknown;
  try {
    for (;;) if ((await iter.next()).done) break;
  } catch (err) {
    error = err;
  }
  t.ok(error, 'the body ends in an error, not a clean end');
});
