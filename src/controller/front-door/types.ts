// The front door's pipeline, in types: authenticate (who is calling) → route (where to)
// → authorise (may they) → handle (through the tunnel, or a local handler). Each step is
// a list that a module or an embedder can add to; these are the names it implements.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PeerCertificate } from 'node:tls';
import type { ErrorShape } from '../../errors.js';
import type { AnyResponse } from '../../relay/http-error.js';
import type { AnyRequest } from '../../relay/request-head.js';
import type { Route } from '../session-registry.js';

export type { Route } from '../session-registry.js';
export type { AnyRequest, AnyResponse };

/** Who is calling, as an authenticator proved it. */
export interface Caller {
  subject: string;
  groups: string[];
  /** How it was proven: 'certificate', 'token'; modules add others ('oidc', 'webhook'…). */
  method: string;
  /** What the credential said (a JWT's verified payload…), for authorisers; never sent upstream. */
  claims?: Readonly<Record<string, unknown>>;
  /** The one route the credential is bound to, when it names one (service certificates and tokens). */
  route?: Route;
  /** At most this many tunnel requests open at once for this person (set by an authoriser). */
  concurrency?: { key: string; max: number };
}

/** What authenticators and route resolvers see of a request. One per request. */
export interface FrontDoorRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The TLS client certificate, when the client sent one the CA signed. */
  peerCertificate: PeerCertificate | undefined;
  /** The client's address and port, as the socket says ('' and 0 when gone). */
  remoteAddress: string;
  remotePort: number;
}

export interface Authenticator {
  readonly name: string;
  /** null: no credential of this kind; throws FERRY_ERR_UNAUTHENTICATED (or _CERT, _FORBIDDEN): one that is bad. */
  authenticate(req: FrontDoorRequest): Promise<Caller | null>;
}

/** Picks the tunnel route of a request (from its URL, its host or the caller's credential), or passes (null). */
/** Where a request goes; `path` when the resolver took a prefix off the request's own path. */
export interface ResolvedRoute extends Route {
  /** The path and query to send upstream (default: the request's own). */
  path?: string;
}

export interface RouteResolver {
  readonly name: string;
  resolve(req: FrontDoorRequest, caller: Caller): ResolvedRoute | null;
}

/** true: allow, false: deny (or throw FERRY_ERR_FORBIDDEN with a reason), null: no opinion. */
export type Decision = boolean | null;

/**
 * May this caller use this route? Every authoriser is asked in order: one deny refuses,
 * and at least one must allow. A promise is awaited only when one is returned (webhooks).
 */
export interface Authoriser {
  readonly name: string;
  authorise(caller: Caller, route: Route, req: FrontDoorRequest): Decision | Promise<Decision>;
}

/**
 * An answer served by the controller itself, mounted at a path prefix (`/status` serves
 * `/status` and `/status/…`). Mounted paths are served here, never through the tunnel.
 */
export interface LocalHandler {
  /** Starts with '/'; matched on whole path segments. */
  readonly path: string;
  /** Only for this host (the Host or :authority name, port left out); any host when unset. */
  readonly host?: string;
  /** true: the authenticators must accept a caller first (401 otherwise); false: the handler decides. */
  readonly needsCaller: boolean;
  /** The error body's shape for this handler's refusals (ferry's JSON when unset). */
  readonly errorShape?: ErrorShape;
  handle(req: AnyRequest, res: AnyResponse, caller: Caller | undefined): void | Promise<void>;
  /** An HTTP/1.1 upgrade on this path; refused with 501 when unset. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, caller: Caller | undefined): void | Promise<void>;
}

/** A caller admitted to a tunnel route (what the request head is built from). */
export interface Authenticated {
  route: ResolvedRoute;
  caller: Caller;
}
