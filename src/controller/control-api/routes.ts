// The control API's route table: ferry's own paths and birger's, what each needs to
// be called (a control credential, a bootstrap token, or nothing), and its handler.
import type { IncomingMessage } from 'node:http';
import { listAgents } from './agents-endpoint.js';
import { BIRGER_PATHS, birgerControl, birgerKubectl, birgerManifest, birgerService, birgerStatistics } from './birger.js';
import { bootstrapAgent } from './bootstrap-endpoint.js';
import type { ControlCaller, ControlContext } from './context.js';
import { issueControl, issueKubectl, issueService } from './credentials.js';
import { onboardAgent } from './onboard.js';
import { listRevocations, revoke } from './revocations-endpoint.js';

export type Handler = (ctx: ControlContext, body: unknown, caller: ControlCaller, req: IncomingMessage) => unknown;

export interface Route {
  method: 'GET' | 'POST';
  /** control: control certificate or token; bootstrap: checked by the handler; public: anyone. */
  auth: 'control' | 'bootstrap' | 'public';
  handle: Handler;
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

export const ROUTES: ReadonlyMap<string, readonly Route[]> = new Map<string, Route[]>([
  [CONTROL_PATHS.jwks, [{ method: 'GET', auth: 'public', handle: (ctx) => ctx.keys.jwks() }]],
  [CONTROL_PATHS.bootstrap, [{ method: 'POST', auth: 'bootstrap', handle: (ctx, body, _c, req) => bootstrapAgent(ctx, req, body) }]],
  [CONTROL_PATHS.onboard, [{ method: 'POST', auth: 'control', handle: onboardAgent }]],
  [CONTROL_PATHS.agents, [{ method: 'GET', auth: 'control', handle: (ctx) => listAgents(ctx) }]],
  [CONTROL_PATHS.kubectl, [{ method: 'POST', auth: 'control', handle: issueKubectl }]],
  [CONTROL_PATHS.service, [{ method: 'POST', auth: 'control', handle: issueService }]],
  [CONTROL_PATHS.control, [{ method: 'POST', auth: 'control', handle: issueControl }]],
  [
    CONTROL_PATHS.revocations,
    [
      { method: 'POST', auth: 'control', handle: revoke },
      { method: 'GET', auth: 'control', handle: (ctx) => listRevocations(ctx) },
    ],
  ],
  [BIRGER_PATHS.kubeconfig, [{ method: 'POST', auth: 'control', handle: birgerKubectl }]],
  [BIRGER_PATHS.manifest, [{ method: 'POST', auth: 'control', handle: birgerManifest }]],
  [BIRGER_PATHS.service, [{ method: 'POST', auth: 'control', handle: birgerService }]],
  [BIRGER_PATHS.control, [{ method: 'POST', auth: 'control', handle: birgerControl }]],
  [BIRGER_PATHS.statistics, [{ method: 'GET', auth: 'control', handle: (ctx) => birgerStatistics(ctx) }]],
]);
