// Metadata a webhook answered for a caller. Sensitive entries are applied (readable here)
// but never sent to a later webhook and never logged: they live in a private field, and
// both the JSON form (what loggers print) and forWebhook() leave them out.
import type { MetadataMap } from './auth-schemas.js';

const EMPTY: MetadataMap = {};

export class WebhookMetadata {
  readonly #entries: MetadataMap;

  constructor(entries: MetadataMap = EMPTY) {
    this.#entries = entries;
  }

  /** A value, sensitive or not. */
  get(name: string): string | undefined {
    return Object.hasOwn(this.#entries, name) ? this.#entries[name]?.value : undefined;
  }

  isSensitive(name: string): boolean {
    return this.#entries[name]?.sensitive === true;
  }

  get names(): string[] {
    return Object.keys(this.#entries);
  }

  /** Only the entries a later webhook may see. */
  forWebhook(): MetadataMap {
    const out: MetadataMap = {};
    for (const [k, entry] of Object.entries(this.#entries)) if (!entry.sensitive) out[k] = { value: entry.value, sensitive: false };
    return out;
  }

  /** Later answers win, as ContainerSSH merges webhook → authz → config. */
  merge(later: MetadataMap | undefined): WebhookMetadata {
    if (later === undefined || Object.keys(later).length === 0) return this;
    return new WebhookMetadata({ ...this.#entries, ...later });
  }

  /** For logs: sensitive values never appear. */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, entry] of Object.entries(this.#entries)) out[k] = entry.sensitive ? '[sensitive]' : entry.value;
    return out;
  }
}

/** Groups named by a `groups` metadata entry: comma or space separated. */
export function groupsOf(metadata: WebhookMetadata): string[] {
  const raw = metadata.get('groups');
  if (raw === undefined) return [];
  return raw.split(/[\s,]+/).filter((g) => g !== '');
}
