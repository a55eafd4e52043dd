// ContainerSSH's client refused answers with fields it did not know, which broke existing
// servers on upgrade (ContainerSSH #526). ferry ignores them and says so once per name.
import type { LogFn } from '../observability/log-fn.js';

export class UnknownFieldWarnings {
  readonly #seen = new Set<string>();

  constructor(private readonly log: LogFn) {}

  /** Warns once per (endpoint, field name) for the fields of `answer` not in `known`. */
  check(endpoint: string, answer: object, known: ReadonlySet<string>): void {
    for (const field of Object.keys(answer)) {
      if (known.has(field)) continue;
      const key = `${endpoint}\0${field}`;
      if (this.#seen.has(key)) continue;
      // Bounded: a server inventing names per answer cannot grow this without end.
      if (this.#seen.size >= 1000) return;
      this.#seen.add(key);
      this.log('warn', 'webhook answer has an unknown field; it is ignored', { endpoint, field });
    }
  }
}
