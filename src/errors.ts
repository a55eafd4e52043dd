// Every ferry error has a stable code, and each code one HTTP status (STATUS, below). Every
// HTTP surface answers an error through errorAnswer(), so status and body never drift apart.

export type FerryErrorCode =
  | 'FERRY_ERR_BAD_CONFIG'
  | 'FERRY_ERR_BAD_INPUT'
  | 'FERRY_ERR_IO'
  | 'FERRY_ERR_EXISTS'
  | 'FERRY_ERR_CA'
  | 'FERRY_ERR_CERT'
  | 'FERRY_ERR_CSR'
  | 'FERRY_ERR_UNAUTHENTICATED'
  | 'FERRY_ERR_FORBIDDEN'
  | 'FERRY_ERR_NO_AGENT'
  | 'FERRY_ERR_NO_SERVICE'
  | 'FERRY_ERR_AGENT_LOST'
  | 'FERRY_ERR_UPSTREAM'
  | 'FERRY_ERR_UNAVAILABLE'
  | 'FERRY_ERR_TOO_LARGE'
  | 'FERRY_ERR_BODY_TOO_LARGE'
  | 'FERRY_ERR_METHOD'
  | 'FERRY_ERR_SHUTTING_DOWN'
  | 'FERRY_ERR_NOT_IMPLEMENTED'
  | 'FERRY_ERR_RATE_LIMITED'
  | 'FERRY_ERR_REQUEST_TIMEOUT'
  | 'FERRY_ERR_NOT_FOUND'
  | 'FERRY_ERR_INTERNAL';

const STATUS: Record<FerryErrorCode, number> = {
  FERRY_ERR_BAD_CONFIG: 500,
  FERRY_ERR_BAD_INPUT: 400,
  FERRY_ERR_IO: 500,
  FERRY_ERR_EXISTS: 409,
  FERRY_ERR_CA: 500,
  FERRY_ERR_CERT: 401,
  FERRY_ERR_CSR: 400,
  FERRY_ERR_UNAUTHENTICATED: 401,
  FERRY_ERR_FORBIDDEN: 403,
  FERRY_ERR_NO_AGENT: 503,
  FERRY_ERR_NO_SERVICE: 404,
  FERRY_ERR_AGENT_LOST: 502,
  FERRY_ERR_UPSTREAM: 502,
  FERRY_ERR_UNAVAILABLE: 503,
  // Request headers over the limit (RFC 6585); a body over its limit is the 413 below.
  FERRY_ERR_TOO_LARGE: 431,
  FERRY_ERR_BODY_TOO_LARGE: 413,
  FERRY_ERR_METHOD: 405,
  FERRY_ERR_SHUTTING_DOWN: 503,
  FERRY_ERR_NOT_IMPLEMENTED: 501,
  FERRY_ERR_RATE_LIMITED: 429,
  FERRY_ERR_REQUEST_TIMEOUT: 408,
  FERRY_ERR_NOT_FOUND: 404,
  FERRY_ERR_INTERNAL: 500,
};

export class FerryError extends Error {
  readonly code: FerryErrorCode;
  constructor(code: FerryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FerryError';
    this.code = code;
  }
}

export function httpStatusOf(err: unknown): number {
  return err instanceof FerryError ? STATUS[err.code] : 500;
}

/** ferry's JSON error body; an unexpected error says nothing of its cause (it may hold a secret). */
export function errorBody(err: unknown): { error: { code: string; message: string } } {
  if (err instanceof FerryError) return { error: { code: err.code, message: err.message } };
  return { error: { code: 'FERRY_ERR_INTERNAL', message: 'internal error' } };
}

/** How a surface writes an error's body: ferry's JSON by default; a route type may choose
 *  another (kubectl reads a metav1.Status). */
export type ErrorShape = (err: unknown, status: number) => { contentType: string; body: string; headers?: Record<string, string> };

export const ferryJsonShape: ErrorShape = (err) => ({ contentType: 'application/json', body: JSON.stringify(errorBody(err)) });

export interface ErrorAnswerOptions {
  shape?: ErrorShape;
  /** Realm of the `WWW-Authenticate: Bearer` challenge sent with a 401. */
  realm?: string;
}

export interface ErrorAnswer {
  status: number;
  /** Lower-case names; content-length included. */
  headers: Record<string, string>;
  body: string;
}

/** The one place an error becomes an HTTP answer: status from the table, body from the shape. */
export function errorAnswer(err: unknown, options: ErrorAnswerOptions = {}): ErrorAnswer {
  const status = httpStatusOf(err);
  const { contentType, body, headers: extra } = (options.shape ?? ferryJsonShape)(err, status);
  const headers: Record<string, string> = { ...extra, 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) };
  // An error may carry its own challenge (a registry's Bearer realm, service and scope).
  const own = (err as { challenge?: unknown } | null)?.challenge;
  if (status === 401) headers['www-authenticate'] = typeof own === 'string' ? own : `Bearer realm="${options.realm ?? 'ferry'}"`;
  return { status, headers, body };
}

/**
 * Runs `fn` with stack traces switched off, for errors that are built but never shown:
 * grpc-js records where each call was made (~0.7 KiB held per pooled call), and an abort
 * makes undici and Node build errors whose stacks were a third of the agent's work per cancel.
 */
export function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
