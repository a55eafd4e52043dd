// Admission, per request: authenticate → route → authorise, then a session and a stream
// for a tunnel route. Runs 10k+ times a second: no closures or arrays per request, and
// an await only where a step may truly wait (an authenticator, an async policy, a stream).
import { FerryError } from '../../errors.js';
import type { LogFn } from '../../observability/log-fn.js';
import type { AgentSession } from '../agent-session.js';
import type { SessionRegistry } from '../session-registry.js';
import type { TunnelStream } from '../../tunnel/tunnel-stream.js';
import { clientCertificateOf } from './client-certificate.js';
import { pathOf } from './request-path.js';
import { agentPathRoute, boundRouteOnly, credentialRoute } from './routing.js';
import { StreamLeases, type StreamLease } from './stream-leases.js';
import type { AnyRequest, Authenticated, Authenticator, Authoriser, Caller, Decision, FrontDoorRequest, ResolvedRoute, Route, RouteResolver } from './types.js';

export interface PipelineOptions {
  registry: SessionRegistry;
  /** Tried in order; the first to recognise a credential decides. */
  authenticators: readonly Authenticator[];
  /** Tried before the built-in one (the credential's route). */
  resolvers?: readonly RouteResolver[];
  /** Asked after the built-in one (a credential bound to a route opens that route only). */
  authorisers?: readonly Authoriser[];
  log: LogFn;
  onAuthFailure?: (reason: string) => void;
}

/** A tunnel request let in: its route and caller, the session and the stream it will use. */
export interface Admitted extends Authenticated {
  session: AgentSession;
  stream: TunnelStream;
  /** Held until the request ends, when the caller has a concurrency limit. */
  lease?: StreamLease;
}

function sameRoute(a: Route, b: Route): boolean {
  return a.agent === b.agent && a.type === b.type && a.name === b.name;
}

export class FrontDoorPipeline {
  private readonly authenticators: readonly Authenticator[];
  private readonly resolvers: RouteResolver[];
  private readonly authorisers: Authoriser[];
  private readonly leases = new StreamLeases();
  closing = false;

  constructor(private readonly opts: PipelineOptions) {
    this.authenticators = opts.authenticators;
    this.resolvers = [...(opts.resolvers ?? []), credentialRoute, agentPathRoute];
    this.authorisers = [boundRouteOnly, ...(opts.authorisers ?? [])];
  }

  /** Adds a route resolver, tried before the built-in ones (and after those added earlier). */
  addResolver(resolver: RouteResolver): void {
    this.resolvers.splice(this.resolvers.length - 2, 0, resolver);
  }

  addAuthoriser(authoriser: Authoriser): void {
    this.authorisers.push(authoriser);
  }

  /** What authenticators and resolvers see; its certificate is read by authenticate(). */
  static requestOf(req: AnyRequest): FrontDoorRequest {
    const socket = req.socket;
    return {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      peerCertificate: undefined,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
    };
  }

  /**
   * Who is calling: authenticators are tried in order (a module's own, then certificate,
   * then ferry JWT); the first that recognises a credential decides, and a recognised but
   * bad one is refused at once. A refusal is counted and logged (never with the credential).
   */
  async authenticate(req: AnyRequest, request: FrontDoorRequest): Promise<Caller> {
    if (this.closing) throw new FerryError('FERRY_ERR_SHUTTING_DOWN', 'controller is shutting down');
    try {
      request.peerCertificate = clientCertificateOf(req);
      for (const a of this.authenticators) {
        const caller = await a.authenticate(request);
        if (caller) return caller;
      }
      throw new FerryError('FERRY_ERR_UNAUTHENTICATED', 'no credentials: send a client certificate or a ferry token');
    } catch (err) {
      const reason = err instanceof FerryError ? err.message : 'authentication error';
      this.opts.onAuthFailure?.(reason);
      this.opts.log('warn', 'front door: authentication refused', { reason, remote: req.socket.remoteAddress, path: pathOf(req) });
      throw err;
    }
  }

  /** A tunnel request: authenticated, routed, authorised, with a session and a stream. */
  async admit(req: AnyRequest): Promise<Admitted> {
    const request = FrontDoorPipeline.requestOf(req);
    const caller = await this.authenticate(req, request);
    const route = this.route(request, caller);
    const decision = this.decide(caller, route, request);
    if (decision !== true && (decision === false || !(await decision))) this.refuse(req, caller, route);
    if (caller.concurrency) return this.admitLeased(route, caller, caller.concurrency);
    const session = this.opts.registry.pick(route);
    const stream = await session.acquire();
    return { route, caller, session, stream };
  }

  /** Open requests of one person (a concurrency key), for tests. */
  openRequests(key: string): number {
    return this.leases.count(key);
  }

  /** A caller with a concurrency limit: a lease first (429 beyond it), given back if no stream comes. */
  private async admitLeased(route: ResolvedRoute, caller: Caller, limit: { key: string; max: number }): Promise<Admitted> {
    const lease = this.leases.take(limit);
    try {
      const session = this.opts.registry.pick(route);
      const stream = await session.acquire();
      return { route, caller, session, stream, lease };
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  private route(req: FrontDoorRequest, caller: Caller): ResolvedRoute {
    for (const r of this.resolvers) {
      const route = r.resolve(req, caller);
      if (route) return route;
    }
    throw new FerryError('FERRY_ERR_NOT_FOUND', 'no service route for this request');
  }

  /** true or false when every authoriser answered at once; a promise when one must be awaited. */
  private decide(caller: Caller, route: Route, req: FrontDoorRequest): boolean | Promise<boolean> {
    let allowed = false;
    for (let i = 0; i < this.authorisers.length; i++) {
      const d = this.authorisers[i]!.authorise(caller, route, req);
      if (d === false) return false;
      if (d === true) allowed = true;
      else if (d !== null) return this.decideLate(d, i, caller, route, req, allowed);
    }
    return allowed;
  }

  private async decideLate(pending: Promise<Decision>, at: number, caller: Caller, route: Route, req: FrontDoorRequest, allowed: boolean): Promise<boolean> {
    for (let i = at; i < this.authorisers.length; i++) {
      const d = i === at ? await pending : await this.authorisers[i]!.authorise(caller, route, req);
      if (d === false) return false;
      if (d === true) allowed = true;
    }
    return allowed;
  }

  private refuse(req: AnyRequest, caller: Caller, route: Route): never {
    const bound = caller.route && !sameRoute(caller.route, route) ? 'the credential is bound to another route' : 'no policy allows it';
    const name = `${route.agent}/${route.type}/${route.name}`;
    this.opts.log('warn', 'front door: authorisation refused', { subject: caller.subject, method: caller.method, route: name, reason: bound, path: pathOf(req) });
    throw new FerryError('FERRY_ERR_FORBIDDEN', `${caller.subject} may not use ${name}: ${bound}`);
  }
}
