// The few parts of oidc-provider (v9, shipped without types) that testkit/oidc-idp.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Client {
    clientId: string;
    grantTypeAllowed(type: string): boolean;
  }
  interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  interface GrantStatic {
    new (init: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }
  interface Session {
    accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  }
  interface Ctx {
    oidc: { client?: Client; session?: Session; provider: Provider };
  }
  interface Account {
    accountId: string;
    claims(use: string, scope: string): Record<string, unknown> | Promise<Record<string, unknown>>;
  }
  export interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    cookies?: { keys: string[] };
    scopes?: string[];
    claims?: Record<string, string[]>;
    conformIdTokenClaims?: boolean;
    features?: Record<string, Record<string, unknown>>;
    ttl?: Record<string, number>;
    interactions?: { url(ctx: Ctx, interaction: { uid: string }): string };
    issueRefreshToken?(ctx: Ctx, client: Client, code: unknown): Promise<boolean>;
    loadExistingGrant?(ctx: Ctx): Promise<Grant | undefined>;
    findAccount?(ctx: Ctx, id: string): Account | undefined | Promise<Account | undefined>;
  }
  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    Grant: GrantStatic;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string }; params: Record<string, unknown>; session?: { accountId?: string } }>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}
