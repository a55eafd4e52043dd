// Who a certificate belongs to. The identity is written into one URI SAN
// (spiffe://<trust-domain>/<kind>/...), which openssl, Node's X509Certificate and any
// SPIFFE-aware tool can read. Parsing is strict: anything not produced by
// identityToUri is refused rather than guessed at.
import { FerryError } from '../errors.js';

export type Identity =
  | { kind: 'agent'; agent: string }
  | { kind: 'control'; name: string }
  | { kind: 'service'; agent: string; type: string; name: string }
  | { kind: 'user'; name: string; groups: string[] }
  | { kind: 'controller' };

export type IdentityKind = Identity['kind'];

export const DEFAULT_TRUST_DOMAIN = 'ferry.local';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Kubernetes groups look like "system:masters" or "Admins", so they get a wider (still
// DN- and header-safe) alphabet than names.
const GROUP = /^[A-Za-z0-9](?:[A-Za-z0-9:._-]{0,61}[A-Za-z0-9])?$/;

/** RFC 1123 label as Kubernetes uses it: lowercase letters, digits, '-', 1–63 chars. */
export function isDnsSafeName(s: string): boolean {
  return DNS_LABEL.test(s);
}

export function isGroupName(s: string): boolean {
  return GROUP.test(s);
}

/** A trust domain is a lowercase DNS name: dot-separated RFC 1123 labels, ≤ 253 chars. */
export function isTrustDomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every(isDnsSafeName);
}

export function assertDnsSafeName(what: string, s: string): void {
  if (!isDnsSafeName(s)) {
    throw new FerryError(
      'FERRY_ERR_BAD_INPUT',
      `invalid ${what} "${s}": use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
}

export function assertTrustDomain(s: string): void {
  if (!isTrustDomain(s)) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `invalid trust domain "${s}": use a lowercase DNS name such as ferry.local`);
  }
}

/** Throws FERRY_ERR_BAD_INPUT unless every name in the identity is valid. */
export function assertValidIdentity(id: Identity): void {
  switch (id.kind) {
    case 'agent':
      assertDnsSafeName('agent name', id.agent);
      return;
    case 'control':
      assertDnsSafeName('control name', id.name);
      return;
    case 'service':
      assertDnsSafeName('agent name', id.agent);
      assertDnsSafeName('service type', id.type);
      assertDnsSafeName('service name', id.name);
      return;
    case 'user':
      assertDnsSafeName('user name', id.name);
      for (const g of id.groups) {
        if (!isGroupName(g)) {
          throw new FerryError('FERRY_ERR_BAD_INPUT', `invalid group "${g}": use 1-63 letters, digits or ':._-'`);
        }
      }
      return;
    case 'controller':
      return;
  }
}

function pathOf(id: Identity): string {
  switch (id.kind) {
    case 'agent':
      return `/agent/${id.agent}`;
    case 'control':
      return `/control/${id.name}`;
    case 'service':
      return `/service/${id.agent}/${id.type}/${id.name}`;
    case 'user':
      return `/user/${id.name}`;
    case 'controller':
      return '/controller';
  }
}

export function identityToUri(id: Identity, trustDomain: string): string {
  assertTrustDomain(trustDomain);
  assertValidIdentity(id);
  return `spiffe://${trustDomain}${pathOf(id)}`;
}

/** The CA's own URI SAN: the bare trust domain. */
export function trustDomainUri(trustDomain: string): string {
  assertTrustDomain(trustDomain);
  return `spiffe://${trustDomain}`;
}

const SCHEME = 'spiffe://';

function malformed(uri: string, why: string): FerryError {
  return new FerryError('FERRY_ERR_CERT', `malformed identity URI "${uri.slice(0, 200)}": ${why}`);
}

/** Splits spiffe://<td>[/path] into its trust domain and path segments, strictly. */
export function splitSpiffeUri(uri: string): { trustDomain: string; segments: string[] } {
  if (!uri.startsWith(SCHEME)) throw malformed(uri, 'not a spiffe:// URI');
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  if (!isTrustDomain(trustDomain)) throw malformed(uri, 'bad trust domain');
  const segments = slash === -1 ? [] : rest.slice(slash + 1).split('/');
  return { trustDomain, segments };
}

function label(uri: string, s: string | undefined): string {
  if (s === undefined || !isDnsSafeName(s)) throw malformed(uri, 'bad name segment');
  return s;
}

/** Inverse of identityToUri. Users come back with no groups (those live in the subject). */
export function identityFromUri(uri: string): { trustDomain: string; identity: Identity } {
  const { trustDomain, segments: s } = splitSpiffeUri(uri);
  const [kind, ...args] = s;
  let identity: Identity;
  if (kind === 'controller' && args.length === 0) identity = { kind: 'controller' };
  else if (kind === 'agent' && args.length === 1) identity = { kind: 'agent', agent: label(uri, args[0]) };
  else if (kind === 'control' && args.length === 1) identity = { kind: 'control', name: label(uri, args[0]) };
  else if (kind === 'user' && args.length === 1) identity = { kind: 'user', name: label(uri, args[0]), groups: [] };
  else if (kind === 'service' && args.length === 3) {
    identity = { kind: 'service', agent: label(uri, args[0]), type: label(uri, args[1]), name: label(uri, args[2]) };
  } else throw malformed(uri, 'unknown identity kind or wrong number of segments');
  return { trustDomain, identity };
}

/**
 * The subject CN written for an identity: readable in `openssl x509 -subject`, and for
 * users the name Kubernetes authenticates (CN = user, O = groups).
 */
export function commonNameOf(id: Identity): string {
  switch (id.kind) {
    case 'agent':
      return id.agent;
    case 'control':
      return id.name;
    case 'service':
      return `${id.name}.${id.agent}`;
    case 'user':
      return id.name;
    case 'controller':
      return 'ferry-controller';
  }
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  if (a.kind === 'user' && b.kind === 'user') {
    return a.name === b.name && a.groups.length === b.groups.length && a.groups.every((g, i) => g === b.groups[i]);
  }
  return identityToUriUnchecked(a) === identityToUriUnchecked(b);
}

function identityToUriUnchecked(id: Identity): string {
  return `${id.kind}:${pathOf(id)}`;
}

export function describeIdentity(id: Identity): string {
  return pathOf(id).slice(1);
}
