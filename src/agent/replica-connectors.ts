// One session per live controller replica, through one address (a load balancer, or a
// headless Service whose name lists every replica: address-rotation.ts dials them in
// turn): every connector dials the same address; the Welcome says which replica answered
// and which replicas are live. A connector that reached a replica another connector already
// holds hangs up and dials again soon (the balancer sends it elsewhere); the set grows when
// the controllers announce a new replica and shrinks when one is gone, without a restart.
// A controller that names no replicas (an older one) gets exactly one connector, as before.
import { FerryError } from '../errors.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import { AddressRotation } from './address-rotation.js';
import { Connector, type ConnectorOptions } from './connector.js';
import { ReceiveWindowFits } from './round-trip-probe.js';

/** Grace for in-flight requests on a connector dropped because its replica is gone. */
const DROP_GRACE_MS = 5_000;

export class ReplicaConnectors {
  readonly #options: ConnectorOptions;
  readonly #connectors: Connector[] = [];
  readonly #addresses: AddressRotation;
  /** One round-trip probe serves every connector's dial (round-trip-probe.ts says why). */
  readonly #windowFits = new ReceiveWindowFits();
  #live: string[] = [];
  #stopped = false;

  constructor(options: ConnectorOptions) {
    this.#options = options;
    this.#addresses = new AddressRotation(options.address, options.serverName);
  }

  start(): void {
    if (this.#connectors.length === 0) this.#spawn();
  }

  /** Connected to at least one replica. */
  get connected(): boolean {
    return this.#connectors.some((c) => c.connected);
  }

  /** Sessions held, one per replica. */
  get sessions(): number {
    return this.#connectors.filter((c) => c.connected).length;
  }

  /** The replicas this agent holds a session to, sorted. */
  heldReplicas(): string[] {
    return this.#connectors.flatMap((c) => (c.connected && c.replicaId ? [c.replicaId] : [])).sort();
  }

  get activeStreams(): number {
    return this.#connectors.reduce((n, c) => n + c.activeStreams, 0);
  }

  updateServices(): void {
    for (const c of this.#connectors) c.updateServices();
  }

  renew(csrPem: string, timeoutMs?: number): Promise<string> {
    const c = this.#connectors.find((x) => x.connected);
    if (!c) return Promise.reject(new FerryError('FERRY_ERR_AGENT_LOST', 'not connected to a controller'));
    return c.renew(csrPem, timeoutMs);
  }

  /** The reverse direction goes to the least busy replica this agent holds. */
  openReverseStream(): TunnelStream {
    const connected = this.#connectors.filter((c) => c.connected).sort((a, b) => a.activeStreams - b.activeStreams);
    const c = connected[0];
    if (!c) throw new FerryError('FERRY_ERR_NO_AGENT', 'not connected to a controller');
    return c.openReverseStream();
  }

  async drain(graceMs: number): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#connectors.map((c) => c.drain(graceMs)));
  }

  #spawn(): void {
    const connector: Connector = new Connector({
      ...this.#options,
      target: () => this.#addresses.next(),
      windowFits: this.#windowFits,
      onWelcome: (welcome) => this.#welcomed(connector, welcome.replicaId, welcome.replicas),
      onReplicas: (replicas) => {
        this.#live = [...replicas].sort();
        this.#reconcile();
      },
      onConnected: () => {
        this.#options.onConnected?.(this.connected);
        this.#reconcile();
      },
    });
    this.#connectors.push(connector);
    connector.start();
  }

  #welcomed(connector: Connector, replicaId: string, replicas: string[]): string | undefined {
    if (replicas.length > 0) this.#live = [...replicas].sort();
    queueMicrotask(() => this.#reconcile());
    if (replicaId && this.#connectors.some((c) => c !== connector && c.replicaId === replicaId)) return `already connected to replica ${replicaId}`;
    return undefined;
  }

  /** As many connectors as live replicas (at least one); extra ones go, unconnected or gone first. */
  #reconcile(): void {
    if (this.#stopped) return;
    const want = Math.max(1, this.#live.length);
    while (this.#connectors.length > want) {
      const victim = this.#connectors.find((c) => !c.connected) ?? this.#connectors.find((c) => c.replicaId !== '' && !this.#live.includes(c.replicaId));
      if (!victim) break;
      this.#connectors.splice(this.#connectors.indexOf(victim), 1);
      void victim.drain(victim.connected ? DROP_GRACE_MS : 0);
    }
    while (this.#connectors.length < want) this.#spawn();
    if (this.#live.length > 0) {
      this.#options.log('debug', 'replica sessions', { live: this.#live, held: this.heldReplicas() });
    }
  }
}
