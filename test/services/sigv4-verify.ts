// An independent SigV4 verifier, written from the AWS specification ("Create a signed
// AWS API request") with node:crypto only, so the agent's signing library is checked
// against something other than itself. It is itself checked against AWS's published
// example in aws.test.ts.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  /** Raw header list as received ([name, value, …]). */
  rawHeaders: string[];
  body: Buffer;
}

export interface Verdict {
  ok: boolean;
  why: string;
  accessKeyId?: string;
  region?: string;
  service?: string;
  signedHeaders?: string[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 unreserved characters stay; everything else is %XX (upper case). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string, service: string): string {
  if (path === '' || path === '/') return '/';
  const segments = path.split('/');
  // S3 encodes once (the path as sent); other services encode the sent path again.
  return segments.map((s) => (service === 's3' ? uriEncode(decodeURIComponent(s)) : uriEncode(s))).join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').map((p) => {
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq);
    const v = eq < 0 ? '' : p.slice(eq + 1);
    const dec = (x: string) => decodeURIComponent(x.replace(/\+/g, ' '));
    return [uriEncode(dec(k)), uriEncode(dec(v))] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function canonicalRequest(req: SignedRequest, signedHeaders: string[], service: string): { text: string; payloadHash: string } {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!.toLowerCase();
    values.set(k, [...(values.get(k) ?? []), req.rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ')]);
  }
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const payloadHash = values.get('x-amz-content-sha256')?.[0] ?? sha256(req.body);
  const headerLines = signedHeaders.map((h) => `${h}:${(values.get(h) ?? []).join(',')}\n`).join('');
  const text = [req.method, canonicalUri(path, service), canonicalQuery(query), headerLines, signedHeaders.join(';'), payloadHash].join('\n');
  return { text, payloadHash };
}

export function signature(secretAccessKey: string, date: string, region: string, service: string, stringToSign: string): string {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Checks the Authorization header of a received request against the secret key. */
export function verifySigV4(req: SignedRequest, secretFor: (accessKeyId: string) => string | undefined): Verdict {
  const raw = new Map<string, string>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) raw.set(req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!);
  const auth = raw.get('authorization');
  if (!auth) return { ok: false, why: 'no Authorization header' };
  const m = AUTH.exec(auth);
  if (!m) return { ok: false, why: 'Authorization is not an AWS4-HMAC-SHA256 header' };
  const [, accessKeyId, date, region, service, signed, sig] = m as unknown as string[];
  const signedHeaders = signed!.split(';');
  const amzDate = raw.get('x-amz-date');
  if (!amzDate || !amzDate.startsWith(date!)) return { ok: false, why: 'X-Amz-Date missing or not matching the credential date' };
  if (!signedHeaders.includes('host')) return { ok: false, why: 'host is not signed' };
  const secret = secretFor(accessKeyId!);
  if (secret === undefined) return { ok: false, why: `unknown access key ${accessKeyId}` };
  const { text, payloadHash } = canonicalRequest(req, signedHeaders, service!);
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && raw.has('x-amz-content-sha256') && payloadHash !== sha256(req.body)) {
    return { ok: false, why: 'X-Amz-Content-Sha256 does not match the body' };
  }
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(text)].join('\n');
  const expected = signature(secret, date!, region!, service!, stringToSign);
  const ok = timingSafeEqual(Buffer.from(expected), Buffer.from(sig!));
  return { ok, why: ok ? 'signature matches' : 'signature does not match', accessKeyId, region, service, signedHeaders };
}
