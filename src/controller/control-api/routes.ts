// The control API's route table: ferry's own paths and birger's, what each needs to
// be called (a control credential, a bootstrap token, or nothing), and its handler.
// Modules mount more (before start through the options, or later through mount()).
import type { IncomingMessage } from 'node:http';
import { FerryError } from '../../errors.js';
import { listAgents } from './agents-endpoint.js';
import { BIRGER_PATHS, birgerControl, birgerKubectl, birgerManifest, birgerService, birgerStatistics } from './birger.js';
import { bootstrapAgent } from './bootstrap-endpoint.js';
import type { ControlCaller, ControlContext } from './context.js';
import { issueControl, issueKubectl, issueService } from './credentials.js';
import { onboardAgent } from './onboard.js';
import { listRevocations, revoke } from './revocations-endpoint.js';

/** Answers with the JSON of what it returns (200); a thrown FerryError is the error answer. */
export type ControlHandler = (ctx: ControlContext, body: unknown, caller: ControlCaller, req: IncomingMessage) => unknown;

export interface ControlRoute {
  /** An HTTP method: 'GET', 'POST'…; POST, PUT and PATCH bodies are read as JSON. */
  method: string;
  /** control: control certificate or token; bootstrap: checked by the handler; public: anyone. */
  auth: 'control' | 'bootstrap' | 'public';
  handle: ControlHandler;
}

export interface ControlRouteMount extends ControlRoute {
  /** The exact path, e.g. '/api/v1/status'. */
  path: string;
}

export const CONTROL_PATHS = {
  jwks: '/.well-known/jwks.json',
  bootstrap: '/api/v1/agents/bootstrap',
  onboard: '/api/v1/agents/onboard',
  agents: '/api/v1/agents',
  kubectl: '/api/v1/credentials/kubectl',
  service: '/api/v1/credentials/service',
  control: '/api/v1/credentials/control',
  revocations: '/api/v1/revocations',
} as const;

/** Paths to the routes on them, one per method. */
export class ControlRoutes {
  private readonly table = new Map<string, ControlRoute[]>();

  mount(path: string, route: ControlRoute): this {
    if (!path.startsWith('/')) throw new FerryError('FERRY_ERR_BAD_CONFIG', `a control API path must start with '/': ${path}`);
    const routes = this.table.get(path) ?? [];
    if (routes.some((r) => r.method === route.method)) throw new FerryError('FERRY_ERR_EXISTS', `${route.method} ${path} is already mounted`);
    this.table.set(path, [...routes, route]);
    return this;
  }

  /** The routes on `path`, or undefined when nothing is mounted there. */
  get(path: string): readonly ControlRoute[] | undefined {
    return this.table.get(path);
  }

  paths(): string[] {
    return [...this.table.keys()];
  }
}

/** The built-in table: ferry's control API and birger's. */
export function defaultControlRoutes(): ControlRoutes {
  return new ControlRoutes()
    .mount(CONTROL_PATHS.jwks, { method: 'GET', auth: 'public', handle: (ctx) => ctx.keys.jwks() })
    .mount(CONTROL_PATHS.bootstrap, { method: 'POST', auth: 'bootstrap', handle: (ctx, body, _c, req) => bootstrapAgent(ctx, req, body) })
    .mount(CONTROL_PATHS.onboard, { method: 'POST', auth: 'control', handle: onboardAgent })
    .mount(CONTROL_PATHS.agents, { method: 'GET', auth: 'control', handle: (ctx) => listAgents(ctx) })
    .mount(CONTROL_PATHS.kubectl, { method: 'POST', auth: 'control', handle: issueKubectl })
    .mount(CONTROL_PATHS.service, { method: 'POST', auth: 'control', handle: issueService })
    .mount(CONTROL_PATHS.control, { method: 'POST', auth: 'control', handle: issueControl })
    .mount(CONTROL_PATHS.revocations, { method: 'POST', auth: 'control', handle: revoke })
    .mount(CONTROL_PATHS.revocations, { method: 'GET', auth: 'control', handle: (ctx) => listRevocations(ctx) })
    .mount(BIRGER_PATHS.kubeconfig, { method: 'POST', auth: 'control', handle: birgerKubectl })
    .mount(BIRGER_PATHS.manifest, { method: 'POST', auth: 'control', handle: birgerManifest })
    .mount(BIRGER_PATHS.service, { method: 'POST', auth: 'control', handle: birgerService })
    .mount(BIRGER_PATHS.control, { method: 'POST', auth: 'control', handle: birgerControl })
    .mount(BIRGER_PATHS.statistics, { method: 'GET', auth: 'control', handle: (ctx) => birgerStatistics(ctx) });
}
