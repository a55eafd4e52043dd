// The registry of service types: the built-ins come from defaultServiceTypes(); an
// embedder registers its own. It puts the entry schema together (config/ hands it to the
// loader, so a bad entry is reported at file:line:col like any other key) and creates services.
import { z } from 'zod';
import type { ServiceSchemas } from '../config/agent-config.js';
import type { ServiceType, ServiceEntryShape } from './service-type.js';
import { resolveBasePaths, serviceBaseShape, type PathResolver, type ServiceConfig } from './service-config.js';

export class ServiceTypeRegistry implements ServiceSchemas<ServiceConfig> {
  private readonly types = new Map<string, ServiceType>();
  private schema: z.ZodType<ServiceConfig> | undefined;

  /** @param custom made for any `x-…` type that is not registered itself. */
  constructor(private readonly custom?: Omit<ServiceType, 'type'>) {}

  register(def: ServiceType): this {
    if (this.types.has(def.type)) throw new Error(`service type ${def.type} is registered twice`);
    this.types.set(def.type, def);
    this.schema = undefined;
    return this;
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  find(type: string): ServiceType | undefined {
    const def = this.types.get(type);
    if (def) return def;
    return this.custom && type.startsWith('x-') ? { ...this.custom, type } : undefined;
  }

  /** The schema of one service entry, with every registered type's own key. */
  get configSchema(): z.ZodType<ServiceConfig> {
    this.schema ??= this.buildSchema();
    return this.schema;
  }

  resolvePaths(cfg: ServiceConfig, at: PathResolver): ServiceConfig {
    const base = resolveBasePaths(cfg, at);
    return this.find(cfg.type)?.resolvePaths?.(base, at) ?? base;
  }

  private buildSchema(): z.ZodType<ServiceConfig> {
    const { health, ...base } = serviceBaseShape;
    const owners = new Map<string, string[]>();
    const own: Record<string, z.ZodOptional<z.ZodType>> = {};
    for (const def of this.types.values()) {
      if (def.key === undefined) continue;
      owners.set(def.key, [...(owners.get(def.key) ?? []), def.type]);
      if (def.schema) own[def.key] ??= def.schema.optional();
    }
    const schema = z.strictObject({ ...base, ...own, health }).superRefine((entry, ctx) => this.check(entry, owners, ctx));
    // Put together at run time; typed as the built-ins' ServiceConfig (an embedder's keys are in its index).
    return schema;
  }

  /** What each type needs and allows, reported at the key that is wrong. */
  private check(entry: ServiceEntryShape, owners: Map<string, string[]>, ctx: z.RefinementCtx): void {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const def = this.find(entry.type);
    if (!def) {
      issue('type', `unknown service type "${entry.type}": use one of ${this.names().join(', ')} or a custom x-… type`);
      return;
    }
    for (const [key, types] of owners) {
      if (entry[key] !== undefined && !types.includes(entry.type)) issue(key, `only for type${types.length > 1 ? 's' : ''} ${types.join(', ')}`);
    }
    if (entry.url === undefined && !(def.ownsTarget?.(entry) ?? false)) issue('url', 'required (an http:// or https:// URL)');
    def.check?.(entry, issue);
  }
}
