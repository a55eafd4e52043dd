// The front door's public names: the pipeline's interfaces a module or an embedder
// implements (authenticators, route resolvers, authorisers, local handlers), the built-in
// steps, and the server.
export type {
  AnyRequest,
  AnyResponse,
  Authenticated,
  Authenticator,
  Authoriser,
  Caller,
  Decision,
  FrontDoorRequest,
  LocalHandler,
  ResolvedRoute,
  Route,
  RouteResolver,
} from './types.js';
export { CertificateAuthenticator } from './authenticators/certificate.js';
export { TokenAuthenticator } from './authenticators/token.js';
export { tokenFromHeaders } from './token-in-headers.js';
export { AGENT_PATH_PREFIX, agentPathRoute, boundRouteOnly, credentialRoute } from './routing.js';
export { LocalHandlers } from './local-handlers.js';
export { FrontDoorPipeline, type Admitted, type PipelineOptions } from './pipeline.js';
export { startFrontDoor, type FrontDoor, type FrontDoorOptions } from './server.js';
