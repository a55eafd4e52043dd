// The observability library's public surface.
export { createLogger, debugMatcher, type CreateLoggerOptions, type Logger } from './logger.js';
export { redactSecret, redactObject, REDACTED, SECRET_KEYS } from './redact.js';
export {
  createMetrics,
  codeClassOf,
  REQUEST_DURATION_BUCKETS,
  type CreateMetricsOptions,
  type FerryMetrics,
  type Program,
  type StreamSide,
  type CodeClass,
  type Direction,
  type CounterOf,
  type GaugeOf,
  type HistogramOf,
  type PlainCounter,
  type PlainGauge,
} from './metrics.js';
export { startOpsServer, type OpsServer, type OpsServerOptions, type Readiness } from './health-server.js';
