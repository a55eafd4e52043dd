// Error bodies in the shape each kind of client reads. kubectl (client-go) shows the
// `message` of a metav1.Status and otherwise only a generic line ("the server is currently
// unable to handle the request"), so on `kubernetes` routes every ferry error is a Status;
// it keeps ferry's own `error: {code, message}` beside it for ferry's clients.
import { errorBody, ferryJsonShape, type ErrorShape } from '../errors.js';

/** metav1.StatusReason for an HTTP status (k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
function statusReasonOf(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 408:
      return 'Timeout';
    case 409:
      return 'AlreadyExists';
    case 413:
    case 431:
      return 'RequestEntityTooLarge';
    case 429:
      return 'TooManyRequests';
    case 502:
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return status >= 500 ? 'InternalError' : 'BadRequest';
  }
}

export const kubernetesStatusShape: ErrorShape = (err, status) => {
  const { error } = errorBody(err);
  const body = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: statusReasonOf(status),
    code: status,
    error,
  };
  // client-go reads a Status only where it decodes the body; discovery (GET /api, /apis: the
  // first thing kubectl does with a cold cache) reports a generic line for a 503 and
  // ignores the body. Every response's Warning header is printed, though, so the reason
  // travels there too (RFC 7234 warn-code 299, "miscellaneous persistent warning").
  return { contentType: 'application/json', body: JSON.stringify(body), headers: { warning: warningOf(error.message) } };
};

/** A Warning header value: `299 - "<text>"`, the text as a quoted-string of printable ASCII. */
function warningOf(message: string): string {
  const text = message.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`);
  return `299 - "${text}"`;
}

/** The error shape for a service type's clients (ferry's JSON unless the type has its own). */
export function errorShapeForType(type: string | undefined): ErrorShape {
  return type === 'kubernetes' ? kubernetesStatusShape : ferryJsonShape;
}
