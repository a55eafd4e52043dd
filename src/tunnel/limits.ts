// Sizes chosen by measurement (issue 3): large HTTP/2 windows and data messages
// took a 256 MiB download from 0.11 to 0.35 GB/s on this class of machine.
export const DATA_FRAME_BYTES = 256 * 1024;
/** Per stream: what one stalled reader can make the other end hold (the slow-reader budget). */
export const HTTP2_WINDOW_BYTES = 16 * 1024 * 1024;
/** Per connection (server side): room for several streams at full speed across a long RTT. */
export const HTTP2_SESSION_WINDOW_BYTES = 64 * 1024 * 1024;
/** The largest per-stream window a far agent's connection gets (rtt-window.ts): its stalled reader may pin this much. */
export const HTTP2_MAX_WINDOW_BYTES = 64 * 1024 * 1024;
/** A far agent's window covers this rate across its round trip (50 ms → 48 MiB). */
export const WINDOW_BYTES_PER_RTT_SECOND = 1_000_000_000;
/** How often an agent connection's round trip is measured again, and with how many PINGs. */
export const RTT_PROBE_INTERVAL_MS = 60_000;
export const PROBE_PINGS = 3;
/** The round trip is the least of this many recent probes: load only ever adds delay. */
export const RTT_PROBES_KEPT = 5;
/** A body up to this size rides inside the head frame. */
export const INLINE_BODY_BYTES = 64 * 1024;
/** Bytes a slow local sink may hold before the tunnel stream is paused. */
export const SINK_BUDGET_BYTES = 1024 * 1024;
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;
export const METADATA_SESSION = 'ferry-session-id';
/** Set to "reverse" on a Stream call the agent opens for a request of its own. */
export const METADATA_DIRECTION = 'ferry-direction';
