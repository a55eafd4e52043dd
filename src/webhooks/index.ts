// ferry's webhooks: clients that delegate credential checks and per-caller configuration
// to HTTP webhooks speaking ContainerSSH's JSON, the front-door pieces built on them, and
// the helpers to write such webhook servers.
export * from './auth-schemas.js';
export * from './config-schemas.js';
export { WebhookMetadata, groupsOf } from './webhook-metadata.js';
export { WebhookTransport, type WebhookTransportOptions } from './webhook-transport.js';
export { AuthWebhookClient, type AuthOutcome, type AuthWebhookClientOptions, type AuthWebhookMethod, type ConnectionInfo } from './auth-webhook-client.js';
export { ConfigWebhookClient, type ConfigWebhookClientOptions } from './config-webhook-client.js';
export {
  createAuthWebhookHandler,
  type AuthVerdict,
  type AuthWebhookCallbacks,
  type DecodedPasswordRequest,
  type WebhookHandler,
  type WebhookHandlerOptions,
} from './auth-webhook-handler.js';
export { createConfigWebhookHandler, type ConfigCallback, type ConfigWebhookHandlerOptions } from './config-webhook-handler.js';
export { createWebhookServer, type WebhookServer, type WebhookServerOptions, type WebhookServerTls } from './webhook-server.js';
export type { WebhookRequestContext } from './webhook-request-context.js';
export { WebhookAuthenticator, looksLikeFerryToken, type WebhookAuthenticatorOptions } from './webhook-authenticator.js';
export { WebhookAuthoriser, type WebhookAuthoriserOptions } from './webhook-authoriser.js';
export { defaultRemoteAddressOf, type RemoteAddressOf } from './front-door-request-info.js';
export { CallerConfigAuthoriser } from './caller-config-authoriser.js';
