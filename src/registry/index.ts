// ferry's docker registry token server as a library: scopes, the ACL, the token server
// (an Authenticator, an Authorizer and a TokenGenerator behind one handler), refresh
// tokens, and the front-door pieces for registries reached through an agent.
export * from './types.js';
export { parseScope, parseScopes, formatScope, MAX_SCOPES } from './scope.js';
export { Acl, type AclMatch, type AclRequest, type AclRule } from './acl.js';
export { AclAuthorizer, VAULT_ACCESS_LABEL } from './acl-authorizer.js';
export { JwtTokenGenerator, type JwtTokenGeneratorOptions } from './token-generator.js';
export { StoredRefreshTokens, refreshTokenId } from './refresh-tokens.js';
export { TokenServer, type TokenServerOptions } from './token-server.js';
export { requiredAccess, covers, mountSource } from './registry-paths.js';
export { RegistryTunnelAuthenticator, RegistryChallenge, type TunnelRegistry } from './tunnel-front.js';
