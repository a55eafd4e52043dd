// What the request runner needs from a service type: where to send a request and which
// credential to add. Service types know nothing about gRPC or the tunnel.
import type { Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';

export interface UpstreamHeader {
  name: string;
  value: string;
}

export interface CallerInfo {
  subject: string;
  groups: string[];
  method: string;
}

export interface ServiceRequest {
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  /** Client headers, already cleaned of hop-by-hop, ferry's own and client credentials. */
  headers: UpstreamHeader[];
  caller: CallerInfo | undefined;
  upgrade: boolean;
}

export interface PreparedRequest {
  /** Absolute URL of the upstream request. */
  url: URL;
  headers: UpstreamHeader[];
  /** For ordinary requests (undici). */
  dispatcher: Dispatcher;
  /** For upgrades (node:https), the same trust settings. */
  tls: ConnectionOptions;
}

export interface ServiceHealth {
  healthy: boolean;
  reason: string;
}

export interface AgentService {
  readonly type: string;
  readonly name: string;
  readonly annotations: Record<string, string>;
  health(): ServiceHealth;
  prepare(req: ServiceRequest): Promise<PreparedRequest>;
  /** SIGHUP: re-read a rotated credential (token file, API key, client certificate); optional. */
  reload?(): Promise<void>;
  /** Calls `listener` whenever health() changes (a probe result or a credential appearing/going). */
  onHealthChange?(listener: () => void): void;
  close(): Promise<void>;
}
