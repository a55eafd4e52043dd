// A response head from the agent (the other end of the tunnel) is checked before any of
// it reaches the client: a status and headers the client's HTTP version can carry
// (RFC 9110), or the client gets a 502 and the log says why. Node checks some of this on
// HTTP/1.1 (it throws) but passes h2 status 0 as 200 and CR/LF inside an h2 header value.
import type { HeaderIn } from '../tunnel/types.js';

/** RFC 9110 §5.1 field-name: a token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5 field-value: HTAB, SP, VCHAR, obs-text (no CR, LF, NUL or other controls). */
const BAD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

export interface ResponseHeadIn {
  status: number;
  headers: readonly HeaderIn[];
}

/** What is wrong with the head for a plain request (upgrade = false) or an upgrade request; undefined when it is fine. */
export function responseHeadProblem(head: ResponseHeadIn, upgrade: boolean): string | undefined {
  const { status } = head;
  if (!Number.isInteger(status) || status < 100 || status > 599) return `status ${status} is outside 100-599`;
  if (status === 101 && !upgrade) return 'status 101 answers a request that asked for no upgrade';
  // Informational answers are the upstream client's business; only a final head crosses.
  if (status < 200 && status !== 101) return `status ${status} is not a final response`;
  for (const { name, value } of head.headers) {
    if (!TOKEN.test(name)) return `header name ${JSON.stringify(name.slice(0, 64))} is not a token`;
    if (BAD_VALUE_CHAR.test(value)) return `header ${name} has a control character (CR, LF, NUL…) in its value`;
  }
  return undefined;
}
