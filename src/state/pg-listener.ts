// One dedicated PostgreSQL connection that LISTENs for the state table's changes. It pings
// every `pingMs`: a ping answered means every notification committed before it was sent
// has arrived, so `confirmedAt` (when that ping was sent) is how fresh this replica's view
// is. A ping not answered within the timeout (a network partition) or a dropped connection
// ends the connection; it reconnects with backoff and, once back, tells the store to
// re-read everything (notifications sent while it was away are lost).
import pg from 'pg';
import { messageOf } from '../errors.js';

export interface PgListenerOptions {
  client: () => pg.ClientConfig;
  /** The channel name (an SQL identifier: the store checks its schema name). */
  channel: string;
  pingMs: number;
  onNotify: (payload: string) => void;
  /** After a reconnect, before confirmedAt moves again: resynchronise. */
  onReconnect: () => Promise<void>;
  onEvent: (level: 'warn' | 'info', message: string) => void;
}

const MAX_BACKOFF_MS = 5000;

export class PgListener {
  readonly #options: PgListenerOptions;
  #client: pg.Client | undefined;
  #confirmedAt = 0;
  #connected = false;
  #closed = false;
  #pingTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #pinging = false;

  constructor(options: PgListenerOptions) {
    this.#options = options;
  }

  /** When the last answered ping was sent (ms); 0 before the first. */
  get confirmedAt(): number {
    return this.#confirmedAt;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The first connection; an error here is the caller's (the database is down at start). */
  async start(): Promise<void> {
    this.#confirmedAt = await this.#connect();
    this.#pingTimer = setInterval(() => void this.#ping(), this.#options.pingMs).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    this.#connected = false;
    await client?.end().catch(() => undefined);
  }

  /** Connects and LISTENs; returns when it started (what confirmedAt may become). */
  async #connect(): Promise<number> {
    const started = Date.now();
    const client = new pg.Client(this.#options.client());
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel && message.payload) this.#options.onNotify(message.payload);
    });
    client.on('error', (err) => this.#lost(client, messageOf(err)));
    client.on('end', () => this.#lost(client, 'connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#options.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#client = client;
    this.#connected = true;
    this.#attempt = 0;
    return started;
  }

  async #ping(): Promise<void> {
    const client = this.#client;
    if (!client || !this.#connected || this.#pinging) return;
    this.#pinging = true;
    const sent = Date.now();
    // A partition leaves a query unanswered rather than failed: give up on the connection.
    const timer = setTimeout(() => this.#lost(client, `no answer to a ping within ${this.#options.pingMs * 2} ms`), this.#options.pingMs * 2);
    try {
      await client.query('SELECT 1');
      if (this.#client === client) this.#confirmedAt = sent;
    } catch (err) {
      this.#lost(client, messageOf(err));
    } finally {
      clearTimeout(timer);
      this.#pinging = false;
    }
  }

  #lost(client: pg.Client, why: string): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    this.#connected = false;
    this.#options.onEvent('warn', `lost the change feed (${why}); reconnecting`);
    // end() may wait for a socket a partition left open; destroy it instead.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    void client.end().catch(() => undefined);
    this.#retry();
  }

  #retry(): void {
    if (this.#closed) return;
    const ceiling = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.#attempt++);
    this.#retryTimer = setTimeout(() => {
      void (async () => {
        try {
          const started = await this.#connect();
          await this.#options.onReconnect();
          this.#confirmedAt = started;
          this.#options.onEvent('info', 'change feed back');
        } catch (err) {
          if (this.#client) this.#lost(this.#client, messageOf(err));
          else this.#retry();
        }
      })();
    }, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)).unref();
  }
}
