// One stream moves at most window ÷ round trip, and Node's HTTP/2 (nghttp2) returns
// window only after half of it was read, so a 16 MiB window gave ~115–145 MB/s across a
// 50 ms round trip (bench scenario 3). A bigger window for every connection would let
// each stalled reader pin that much more memory on loopback too, so each agent
// connection gets a window sized from its own measured round trip (HTTP/2 PING): the
// near agent keeps the floor, a far one up to the ceiling.
import type * as http2 from 'node:http2';
import {
  HTTP2_MAX_WINDOW_BYTES,
  HTTP2_WINDOW_BYTES,
  PROBE_PINGS,
  RTT_PROBE_INTERVAL_MS,
  RTT_PROBES_KEPT,
  WINDOW_BYTES_PER_RTT_SECOND,
} from './limits.js';

const MIB = 1024 * 1024;

/** The per-stream window for a round trip: rate × RTT in whole MiB, within [floor, ceiling]. */
export function windowForRoundTrip(rttMs: number): number {
  const wanted = Math.ceil(((rttMs / 1000) * WINDOW_BYTES_PER_RTT_SECOND) / MIB) * MIB;
  return Math.min(HTTP2_MAX_WINDOW_BYTES, Math.max(HTTP2_WINDOW_BYTES, wanted));
}

export interface WindowFit {
  rttMs: number;
  windowBytes: number;
}

/** Probes the session's round trip now and every interval; raises or lowers its stream window to fit. */
export function fitStreamWindowToRoundTrip(session: http2.Http2Session, onFit?: (fit: WindowFit) => void): void {
  let current = HTTP2_WINDOW_BYTES;
  const recent: number[] = [];
  const probe = () => {
    minPingMs(session, PROBE_PINGS, (sample) => {
      recent.push(sample);
      if (recent.length > RTT_PROBES_KEPT) recent.shift();
      const rttMs = Math.min(...recent);
      const windowBytes = windowForRoundTrip(rttMs);
      if (windowBytes === current || session.destroyed || session.closed) return;
      try {
        // A new SETTINGS_INITIAL_WINDOW_SIZE applies to open streams too (RFC 9113 §6.9.2).
        session.settings({ initialWindowSize: windowBytes });
        // The connection window must cover a full stream window or two.
        if (session.state.localWindowSize !== undefined && session.state.localWindowSize < 2 * windowBytes) {
          session.setLocalWindowSize(2 * windowBytes);
        }
      } catch {
        return; // the session closed under us
      }
      current = windowBytes;
      onFit?.({ rttMs, windowBytes });
    });
  };
  const timer = setInterval(probe, RTT_PROBE_INTERVAL_MS).unref();
  session.once('close', () => clearInterval(timer));
  probe();
}

/** The smallest of `count` sequential PING round trips; nothing if the session fails first. */
export function minPingMs(session: http2.Http2Session, count: number, done: (ms: number) => void): void {
  let best = Infinity;
  const next = (left: number) => {
    if (left === 0) {
      if (Number.isFinite(best)) done(best);
      return;
    }
    if (session.destroyed || session.closed) return;
    const sent = session.ping((err, ms) => {
      if (err) return;
      best = Math.min(best, ms);
      next(left - 1);
    });
    if (!sent) return; // too many pings outstanding: try at the next interval
  };
  next(count);
}
