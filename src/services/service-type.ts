// A service type as the registry knows it: its name, its own config key and schema,
// what it checks in an entry, and how a service of the type is made.
import type { z } from 'zod';
import type { AgentService } from './agent-service.js';
import type { UpstreamTlsOptions } from './http-proxy.js';
import type { ServiceContext } from './service-base.js';
import type { PathResolver, ServiceConfig } from './service-config.js';

/** Reports a problem at one key of the entry (`file:line:col: services[i].<key>: <message>`). */
export type IssueAt = (key: string, message: string) => void;

/** An entry as the type checks see it (before defaults matter). */
export interface ServiceEntryShape {
  type: string;
  url?: string | undefined;
  credential?: { kind: string } | undefined;
  readonly [key: string]: unknown;
}

export interface ServiceType {
  /** The `type:` value, DNS-safe; an embedder's own types are best named `x-…`. */
  type: string;
  /** The type's own key in an entry (e.g. `kubernetes`) and its schema; several types may share one. */
  key?: string;
  schema?: z.ZodType;
  /** The entry brings its own upstream, so `url` is not required. */
  ownsTarget?(entry: ServiceEntryShape): boolean;
  /** What the type needs and allows beyond the schemas. */
  check?(entry: ServiceEntryShape, issue: IssueAt): void;
  /** Relative paths under the type's own key, read from the config file's folder. */
  resolvePaths?(cfg: ServiceConfig, at: PathResolver): ServiceConfig;
  /** A service of this type; `start()` is called on it when it has one. */
  create(cfg: ServiceConfig, ctx: ServiceContext, tls: UpstreamTlsOptions): AgentService & { start?(): Promise<void> };
}
