// The agent's per-stream receive window (how much the controller may send on one stream —
// an upload, exec stdin — before the agent acknowledges) is fixed when grpc-js opens its
// HTTP/2 session, and grpc-js does not hand that session out for a later SETTINGS change.
// So the round trip is measured just before each dial, on a short HTTP/2 session of its
// own with the agent's credentials: the least of a few PINGs, as the controller measures
// its side (rtt-window.ts). A PING is answered by the controller's HTTP/2 layer without
// crypto work, so a busy machine does not read as a far link (a TLS handshake did: CI saw
// a loopback agent time one above 17 ms), and the TLS is end to end even behind a TCP proxy.
// The window is then fitted as the controller fits its own: a near agent keeps the floor,
// a far one up to the ceiling.
import * as http2 from 'node:http2';
import type { SecureContext } from 'node:tls';
import { minPingMs, windowForRoundTrip } from '../tunnel/rtt-window.js';
import { HTTP2_WINDOW_BYTES, PROBE_PINGS, RTT_PROBE_INTERVAL_MS } from '../tunnel/limits.js';

const PROBE_TIMEOUT_MS = 3_000;

/** host and port of a gRPC target ("host:port", "[v6]:port", "dns:///host:port"); undefined if it has no port. */
export function hostPortOf(address: string): { host: string; port: number } | undefined {
  const bare = address.replace(/^dns:(\/\/[^/]*\/)?/, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(bare) ?? /^([^:]+):(\d+)$/.exec(bare);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}

/** The round trip to the controller in ms, or undefined when no probe got through (the dial then keeps the floor). */
async function probeRoundTripMs(address: string, serverName: string | undefined, secureContext: SecureContext): Promise<number | undefined> {
  // grpc-js dials through an HTTP proxy when one of these is set; a direct probe could hang
  // where only the proxy gets out, so such an agent keeps the floor.
  if (process.env['grpc_proxy'] || process.env['https_proxy'] || process.env['http_proxy']) return undefined;
  const target = hostPortOf(address);
  if (!target) return undefined;
  const authority = `https://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return new Promise((resolve) => {
    const session = http2.connect(authority, { servername: serverName ?? target.host, secureContext });
    const done = (ms: number | undefined) => {
      clearTimeout(timer);
      session.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
    session.once('error', () => done(undefined)); // unreachable or refused: the dial says why
    session.once('close', () => done(undefined));
    session.once('connect', () => minPingMs(session, PROBE_PINGS, done));
  });
}

/** A dial's receive window, and the round trip it was fitted to when one was measured. */
export interface DialWindow {
  windowBytes: number;
  rttMs?: number;
}

/** The window for a dial now: fitted to the measured round trip, or the floor when none was measured. */
async function fitReceiveWindow(address: string, serverName: string | undefined, secureContext: SecureContext): Promise<DialWindow> {
  const rttMs = await probeRoundTripMs(address, serverName, secureContext);
  if (rttMs === undefined) return { windowBytes: HTTP2_WINDOW_BYTES };
  return { windowBytes: windowForRoundTrip(rttMs), rttMs: Math.round(rttMs * 10) / 10 };
}

/**
 * One agent's fits, shared by its connectors: a measured fit serves every dial to that
 * address for a minute (the controller re-measures its side as often). A probe is a
 * connection of its own, and a balancer that hands connections out in turn (Node's cluster
 * round robin across `--workers`) then gave the dial after each probe the same worker every
 * time, so a connector that reached a replica already held never reached the other. Cached,
 * its quick redial is a dial alone. A probe that measured nothing is not kept.
 */
export class ReceiveWindowFits {
  readonly #fits = new Map<string, { at: number; fit: Promise<DialWindow> }>();

  constructor(private readonly freshMs = RTT_PROBE_INTERVAL_MS) {}

  windowFor(address: string, serverName: string | undefined, secureContext: SecureContext): Promise<DialWindow> {
    const key = `${address}\n${serverName ?? ''}`;
    const held = this.#fits.get(key);
    if (held && Date.now() - held.at < this.freshMs) return held.fit;
    // Concurrent dials share one probe.
    const fit = fitReceiveWindow(address, serverName, secureContext);
    this.#fits.set(key, { at: Date.now(), fit });
    void fit.then((f) => {
      if (f.rttMs === undefined && this.#fits.get(key)?.fit === fit) this.#fits.delete(key);
    });
    return fit;
  }
}
