// ferry's Prometheus metrics, one Registry per program. Labels are low-cardinality by
// construction: the label *values* are typed where the set is closed (code class,
// direction, side), and the open ones (agent, service_type, kind, purpose, reason) come
// from configuration or a fixed list in code — never from a request path or a user name.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Program = 'controller' | 'agent';
/** Which end opened the proxied stream: the controller (client → service) or the agent (reverse direction). */
export type StreamSide = 'controller' | 'agent';
export type CodeClass = '2xx' | '3xx' | '4xx' | '5xx' | 'error';
/** in: request bytes travelling toward the service; out: response bytes travelling back. */
export type Direction = 'in' | 'out';

export interface CounterOf<L> {
  inc(labels: L, value?: number): void;
  /** Bind the labels once on a hot path. */
  labels(labels: L): { inc(value?: number): void };
}
export interface GaugeOf<L> {
  inc(labels: L, value?: number): void;
  dec(labels: L, value?: number): void;
  set(labels: L, value: number): void;
  /** Drop a series (an agent name that is gone for good). */
  remove(labels: L): void;
  labels(labels: L): { inc(value?: number): void; dec(value?: number): void; set(value: number): void };
}
export interface HistogramOf<L> {
  observe(labels: L, seconds: number): void;
  /** Returns a function that records the elapsed seconds (and returns them). */
  startTimer(labels: L): () => number;
  labels(labels: L): { observe(seconds: number): void };
}
export interface PlainCounter {
  inc(value?: number): void;
}
export interface PlainGauge {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
}

export interface FerryMetrics {
  readonly registry: Registry;
  readonly program: Program;
  /** ferry_agents_connected{agent}: connections per agent name (several pods may share one). */
  readonly agentsConnected: GaugeOf<{ agent: string }>;
  /** ferry_agent_sessions: open control sessions (controller: with agents; agent: with controllers). */
  readonly agentSessions: PlainGauge;
  readonly openStreams: GaugeOf<{ side: StreamSide }>;
  readonly requests: CounterOf<{ service_type: string; code_class: CodeClass }>;
  readonly bytes: CounterOf<{ direction: Direction }>;
  readonly requestDuration: HistogramOf<{ service_type: string }>;
  readonly streamsOpened: PlainCounter;
  readonly reconnects: PlainCounter;
  readonly drains: PlainCounter;
  readonly certificatesIssued: CounterOf<{ kind: string }>;
  readonly tokensIssued: CounterOf<{ purpose: string }>;
  readonly authFailures: CounterOf<{ reason: string }>;
}

/** Watches and exec sessions last hours, so the buckets reach well past the usual 10 s. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function codeClassOf(status: number | undefined): CodeClass {
  if (status === undefined || status < 200 || status >= 600) return 'error';
  if (status < 300) return '2xx';
  if (status < 400) return '3xx';
  return status < 500 ? '4xx' : '5xx';
}

export interface CreateMetricsOptions {
  /** Reported in ferry_build_info{version}. */
  version?: string;
  /** Process and Node.js runtime metrics (default: true with a registry of ferry's own). */
  defaultMetrics?: boolean;
  /** An embedding program's registry (one per ferry instance: names would clash). */
  registry?: Registry;
}

export function createMetrics(program: Program, options: CreateMetricsOptions = {}): FerryMetrics {
  const registry = options.registry ?? new Registry();
  // An embedder's registry may collect the process metrics already: registering them twice throws.
  if (options.defaultMetrics ?? options.registry === undefined) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total fail `promtool check metrics`; each is only the sum of its
    // labelled sibling (nodejs_active_handles{type} …), so sum() in PromQL replaces it.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  }
  const registers = [registry];

  const buildInfo = new Gauge({
    name: 'ferry_build_info',
    help: 'Always 1; labels say which ferry program and version is running.',
    labelNames: ['program', 'version'] as const,
    registers,
  });
  buildInfo.set({ program, version: options.version ?? 'unknown' }, 1);

  return {
    registry,
    program,
    agentsConnected: new Gauge({
      name: 'ferry_agents_connected',
      help: 'Agent connections currently established, by agent name.',
      labelNames: ['agent'] as const,
      registers,
    }),
    agentSessions: new Gauge({ name: 'ferry_agent_sessions', help: 'Agent control sessions currently open.', registers }),
    openStreams: new Gauge({
      name: 'ferry_open_streams',
      help: 'Proxied streams currently carrying a request, by the side that started it.',
      labelNames: ['side'] as const,
      registers,
    }),
    requests: new Counter({
      name: 'ferry_requests_total',
      help: 'Proxied requests finished, by service type and status class (error: no status).',
      labelNames: ['service_type', 'code_class'] as const,
      registers,
    }),
    bytes: new Counter({
      name: 'ferry_bytes_total',
      help: 'Body bytes proxied; in: toward the service, out: back to the client.',
      labelNames: ['direction'] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'ferry_request_duration_seconds',
      help: 'Time from request head to end of response, by service type.',
      labelNames: ['service_type'] as const,
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    }),
    streamsOpened: new Counter({
      name: 'ferry_tunnel_streams_opened_total',
      help: 'gRPC Stream calls the agent opened for its pool (each costs both ends a call setup; steady traffic should reuse them).',
      registers,
    }),
    reconnects: new Counter({ name: 'ferry_reconnects_total', help: 'Agent reconnections to a controller.', registers }),
    drains: new Counter({ name: 'ferry_drains_total', help: 'Sessions drained (asked to finish in-flight streams and close).', registers }),
    certificatesIssued: new Counter({
      name: 'ferry_certificates_issued_total',
      help: 'Certificates issued by the CA, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    tokensIssued: new Counter({
      name: 'ferry_tokens_issued_total',
      help: 'Tokens issued, by purpose.',
      labelNames: ['purpose'] as const,
      registers,
    }),
    authFailures: new Counter({
      name: 'ferry_auth_failures_total',
      help: 'Rejected authentication attempts, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}
