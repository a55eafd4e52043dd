// What the control API remembers between restarts, in the state store: the agents it
// onboarded (`agents/<name>`, so credentials for an unknown agent name are refused) and the
// bootstrap tokens already spent (`bootstrap-spent/<jti>`, so one cannot be used twice, by
// any controller process sharing the store). In the file store: agents.json in the data dir.
import { dirname } from 'node:path';
import { FerryError } from '../../errors.js';
import { ABSENT, AGENT_PREFIX, agentsTable, FileStore, SPENT_PREFIX, type JsonValue, type StateStore, type Unsubscribe } from '../../state/index.js';

export interface AgentBookOptions {
  /** Follow the store's changes (another process's onboardings and spends). Default true on a shared store. */
  watch?: boolean;
  /** Clock in ms (default Date.now). */
  now?: () => number;
}

interface Spent {
  exp: number;
  agent: string;
}

// A spent token past its exp is refused by its exp anyway; forget it a little later.
const SPENT_GRACE_SECONDS = 300;

export class AgentBook {
  readonly file: string;
  readonly #store: StateStore;
  readonly #ownsStore: boolean;
  readonly #now: () => number;
  readonly #agents = new Set<string>();
  readonly #spent = new Map<string, Spent>();
  // jtis claimed by a request in flight here: a second concurrent use is refused too.
  readonly #claimed = new Set<string>();
  #unwatch: Unsubscribe | undefined;

  private constructor(store: StateStore, ownsStore: boolean, options: AgentBookOptions) {
    this.#store = store;
    this.#ownsStore = ownsStore;
    this.file = store.describe(AGENT_PREFIX);
    this.#now = options.now ?? Date.now;
  }

  /** A book of its own in one JSON file (the agents.json format). */
  static async open(file: string, options: AgentBookOptions = {}): Promise<AgentBook> {
    const store = await FileStore.forTable(dirname(file), agentsTable(file));
    return AgentBook.#start(store, true, { watch: false, ...options });
  }

  /** The book kept in a shared state store (the controller's). */
  static onStore(store: StateStore, options: AgentBookOptions = {}): Promise<AgentBook> {
    return AgentBook.#start(store, false, options);
  }

  static async #start(store: StateStore, owns: boolean, options: AgentBookOptions): Promise<AgentBook> {
    const book = new AgentBook(store, owns, options);
    if (options.watch ?? true) {
      const unwatchAgents = store.watch(AGENT_PREFIX, (c) => book.#apply(c.key, c.value));
      const unwatchSpent = store.watch(SPENT_PREFIX, (c) => book.#apply(c.key, c.value));
      book.#unwatch = () => {
        unwatchAgents();
        unwatchSpent();
      };
    }
    try {
      for (const prefix of [AGENT_PREFIX, SPENT_PREFIX]) {
        for (const { key, value } of await store.list(prefix)) book.#apply(key, value);
      }
    } catch (err) {
      await book.close();
      throw err;
    }
    return book;
  }

  isOnboarded(agent: string): boolean {
    return this.#agents.has(agent);
  }

  async addAgent(agent: string): Promise<void> {
    if (this.isOnboarded(agent)) return;
    this.#agents.add(agent);
    // Create-if-absent: the first onboarding's time stays when two processes race.
    await this.#store.compareAndSet(AGENT_PREFIX + agent, ABSENT, { onboardedAt: this.#nowSeconds() });
  }

  /** Reserves a bootstrap token id in this process; false when it is known spent or in use right now. */
  claim(jti: string): boolean {
    if (this.#claimed.has(jti) || this.#spent.has(jti)) return false;
    this.#claimed.add(jti);
    return true;
  }

  /**
   * The token is spent for good. Exactly once across every process sharing the store: when
   * another process spent it first this throws FERRY_ERR_UNAUTHENTICATED.
   */
  async spend(jti: string, exp: number, agent: string): Promise<void> {
    try {
      if (!(await this.#spendOnce(jti, exp, agent))) throw alreadyUsed();
    } finally {
      this.#claimed.delete(jti);
    }
  }

  /**
   * claim() and spend() in one step, before the certificate is made: true for exactly one
   * caller across every process sharing the store. Undo with unspend() if issuing fails.
   */
  async spendOnce(jti: string, exp: number, agent: string): Promise<boolean> {
    if (!this.claim(jti)) return false;
    try {
      return await this.#spendOnce(jti, exp, agent);
    } finally {
      this.#claimed.delete(jti);
    }
  }

  /** Issuing failed after spendOnce() (a bad CSR): the token may be tried again. */
  async unspend(jti: string): Promise<void> {
    this.#spent.delete(jti);
    await this.#store.delete(SPENT_PREFIX + jti);
  }

  /** Issuing failed after claim(): the token may be tried again. */
  release(jti: string): void {
    this.#claimed.delete(jti);
  }

  /** Stop following the store (and close it if this book opened it). */
  async close(): Promise<void> {
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (this.#ownsStore) await this.#store.close();
  }

  async #spendOnce(jti: string, exp: number, agent: string): Promise<boolean> {
    const won = (await this.#store.compareAndSet(SPENT_PREFIX + jti, ABSENT, { exp, agent })) !== undefined;
    this.#spent.set(jti, { exp, agent });
    if (won) await this.#forgetExpired();
    return won;
  }

  async #forgetExpired(): Promise<void> {
    const now = this.#nowSeconds();
    for (const [jti, spent] of this.#spent) {
      if (spent.exp + SPENT_GRACE_SECONDS > now) continue;
      this.#spent.delete(jti);
      await this.#store.delete(SPENT_PREFIX + jti);
    }
  }

  #apply(key: string, value: JsonValue | undefined): void {
    if (key.startsWith(AGENT_PREFIX)) {
      const agent = key.slice(AGENT_PREFIX.length);
      if (value === undefined) this.#agents.delete(agent);
      else this.#agents.add(agent);
    } else if (key.startsWith(SPENT_PREFIX)) {
      const jti = key.slice(SPENT_PREFIX.length);
      const spent = value as Partial<Spent> | undefined;
      if (value === undefined || typeof spent?.exp !== 'number') this.#spent.delete(jti);
      else this.#spent.set(jti, { exp: spent.exp, agent: String(spent.agent) });
    }
  }

  #nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}

function alreadyUsed(): FerryError {
  return new FerryError('FERRY_ERR_UNAUTHENTICATED', 'bootstrap token already used');
}
