// The agent's per-stream receive window (how much the controller may send on one stream —
// an upload, exec stdin — before the agent acknowledges) is fixed when grpc-js opens its
// HTTP/2 session, and grpc-js does not hand that session out for a later SETTINGS change.
// So the round trip is measured just before each dial: a TLS 1.3 handshake with the agent's
// own credentials takes one round trip from TCP connected to handshake done (plus the
// controller's handshake work; the least of two counts, one when the first already gives
// the floor), and the TLS is end to end to the controller even behind a TCP proxy. The
// window is then fitted as the controller fits its own (rtt-window.ts): a near agent keeps
// the floor, a far one up to the ceiling.
import { connect, type SecureContext } from 'node:tls';
import { windowForRoundTrip } from '../tunnel/rtt-window.js';
import { HTTP2_WINDOW_BYTES } from '../tunnel/limits.js';

const PROBES = 2;
const PROBE_TIMEOUT_MS = 3_000;

/** host and port of a gRPC target ("host:port", "[v6]:port", "dns:///host:port"); undefined if it has no port. */
export function hostPortOf(address: string): { host: string; port: number } | undefined {
  const bare = address.replace(/^dns:(\/\/[^/]*\/)?/, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(bare) ?? /^([^:]+):(\d+)$/.exec(bare);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}

function oneHandshakeMs(host: string, port: number, servername: string, secureContext: SecureContext): Promise<number | undefined> {
  return new Promise((resolve) => {
    let tcpAt = 0;
    const socket = connect({ host, port, servername, secureContext, ALPNProtocols: ['h2'] });
    const done = (ms: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
    socket.once('connect', () => (tcpAt = performance.now()));
    socket.once('secureConnect', () => done(tcpAt > 0 ? performance.now() - tcpAt : undefined));
    socket.once('error', () => done(undefined));
  });
}

/** The round trip to the controller in ms, or undefined when no probe got through (the dial then keeps the floor). */
export async function probeRoundTripMs(address: string, serverName: string | undefined, secureContext: SecureContext): Promise<number | undefined> {
  // grpc-js dials through an HTTP proxy when one of these is set; a direct probe could hang
  // where only the proxy gets out, so such an agent keeps the floor.
  if (process.env['grpc_proxy'] || process.env['https_proxy'] || process.env['http_proxy']) return undefined;
  const target = hostPortOf(address);
  if (!target) return undefined;
  let best: number | undefined;
  for (let i = 0; i < PROBES; i++) {
    const ms = await oneHandshakeMs(target.host, target.port, serverName ?? target.host, secureContext);
    if (ms === undefined) break; // unreachable or refused: the dial says why
    best = Math.min(best ?? Infinity, ms);
    // A near controller: another probe could only confirm the floor, and it delays the dial.
    if (windowForRoundTrip(best) === HTTP2_WINDOW_BYTES) break;
  }
  return best;
}

/** The window for a dial now: fitted to the measured round trip, or the floor when none was measured. */
export async function fitReceiveWindow(address: string, serverName: string | undefined, secureContext: SecureContext): Promise<{ windowBytes: number; rttMs?: number }> {
  const rttMs = await probeRoundTripMs(address, serverName, secureContext);
  if (rttMs === undefined) return { windowBytes: HTTP2_WINDOW_BYTES };
  return { windowBytes: windowForRoundTrip(rttMs), rttMs: Math.round(rttMs * 10) / 10 };
}
