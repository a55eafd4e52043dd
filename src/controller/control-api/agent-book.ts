// What the control API remembers between restarts: the agents it onboarded (so
// credentials for an unknown agent name are refused) and the bootstrap tokens already
// spent (so one cannot be used twice). A small JSON file in the data dir.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FerryError, messageOf } from '../../errors.js';
import { writeSecretFile } from '../../pki/index.js';

const FILE_SCHEMA = z.object({
  version: z.literal(1),
  agents: z.record(z.string(), z.object({ onboardedAt: z.number().int() })),
  spentBootstrap: z.array(z.object({ jti: z.string(), exp: z.number().int(), agent: z.string() })),
});

type BookFile = z.infer<typeof FILE_SCHEMA>;

export class AgentBook {
  #data: BookFile = { version: 1, agents: {}, spentBootstrap: [] };
  // jtis claimed by a request in flight: a second concurrent use is refused too.
  readonly #claimed = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly file: string) {}

  static async open(file: string): Promise<AgentBook> {
    const book = new AgentBook(file);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new FerryError('FERRY_ERR_IO', `cannot read ${file}: ${messageOf(err)}`, { cause: err });
      }
    }
    if (text !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new FerryError('FERRY_ERR_BAD_CONFIG', `${file} is not valid JSON`);
      }
      const parsed = FILE_SCHEMA.safeParse(json);
      if (!parsed.success) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${file} is malformed`);
      book.#data = parsed.data;
    }
    return book;
  }

  isOnboarded(agent: string): boolean {
    return Object.hasOwn(this.#data.agents, agent);
  }

  async addAgent(agent: string): Promise<void> {
    if (this.isOnboarded(agent)) return;
    this.#data.agents[agent] = { onboardedAt: Math.floor(Date.now() / 1000) };
    await this.#save();
  }

  /** Reserves a bootstrap token id; false when it was spent or is being used right now. */
  claim(jti: string): boolean {
    if (this.#claimed.has(jti) || this.#data.spentBootstrap.some((s) => s.jti === jti)) return false;
    this.#claimed.add(jti);
    return true;
  }

  /** The certificate was issued: the token is spent for good. */
  async spend(jti: string, exp: number, agent: string): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    // An expired token is refused by its exp anyway; keep the list short.
    this.#data.spentBootstrap = this.#data.spentBootstrap.filter((s) => s.exp + 300 > now);
    this.#data.spentBootstrap.push({ jti, exp, agent });
    try {
      await this.#save();
    } finally {
      this.#claimed.delete(jti);
    }
  }

  /** Issuing failed (a bad CSR): the token may be tried again. */
  release(jti: string): void {
    this.#claimed.delete(jti);
  }

  #save(): Promise<void> {
    const run = this.#queue.then(() => writeSecretFile(this.file, `${JSON.stringify(this.#data, null, 2)}\n`));
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
