// The registry ACL, docker_auth's model: ordered rules, the first whose `match` fits the
// request decides; its `actions` are intersected with those asked for (`*` grants all
// asked; `[]` denies). No rule matching: nothing granted. A denial is never an error.
import { BlockList, isIP } from 'node:net';
import { FerryError } from '../errors.js';
import type { Access } from './scope.js';

export interface AclMatch {
  /** Glob (`*` within one path segment, `?` one character) or `/regex/`; '' matches anonymous only. */
  account?: string;
  type?: string;
  name?: string;
  service?: string;
  /** An address or a CIDR block. */
  ip?: string;
  /** label → pattern: the user must have at least one value of the label matching it. */
  labels?: Record<string, string>;
}

export interface AclRule {
  match: AclMatch;
  actions: string[];
  comment?: string;
}

/** What a rule is matched against, for one resource. */
export interface AclRequest {
  account: string;
  type: string;
  name: string;
  service: string;
  ip: string;
  labels: Readonly<Record<string, readonly string[]>>;
}

type Matcher = (value: string, req: AclRequest) => boolean;

interface CompiledRule {
  fields: { field: 'account' | 'type' | 'name' | 'service'; test: Matcher }[];
  ip?: (ip: string) => boolean;
  labels: { label: string; test: Matcher }[];
  actions: string[];
}

// Brackets around substituted values (characters no name or glob holds).
const OPEN = String.fromCharCode(0);
const CLOSE = String.fromCharCode(1);
const SPLIT = new RegExp(`[${OPEN}${CLOSE}]`);

const VARIABLE = /\$\{(account|name|service|type|labels:[A-Za-z0-9_.-]+)\}/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function globToRegex(glob: string): string {
  let out = '';
  for (const ch of glob) out += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : escapeRegex(ch);
  return out;
}

/** The values a `${…}` stands for in this request (a label may have several, or none). */
function valuesOf(variable: string, req: AclRequest): readonly string[] {
  if (variable.startsWith('labels:')) return req.labels[variable.slice('labels:'.length)] ?? [];
  return [req[variable as 'account' | 'name' | 'service' | 'type']];
}

/** Every expansion of a pattern's variables (one per combination of label values). */
function expand(pattern: string, req: AclRequest, quote: (v: string) => string): string[] {
  let results = [''];
  let at = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    const literal = pattern.slice(at, m.index);
    const values = valuesOf(m[1]!, req);
    results = results.flatMap((r) => values.map((v) => r + literal + quote(v)));
    at = m.index + m[0].length;
  }
  return results.map((r) => r + pattern.slice(at));
}

function compilePattern(pattern: string, where: string): Matcher {
  if (pattern.length >= 2 && pattern.startsWith('/') && pattern.endsWith('/')) {
    const source = pattern.slice(1, -1);
    try {
      new RegExp(source);
    } catch (err) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: bad regular expression ${pattern}: ${(err as Error).message}`);
    }
    if (!source.includes('${')) {
      const re = new RegExp(source);
      return (value) => re.test(value);
    }
    return (value, req) => expand(source, req, escapeRegex).some((s) => new RegExp(s).test(value));
  }
  if (!pattern.includes('${')) {
    const re = new RegExp(`^${globToRegex(pattern)}$`);
    return (value) => re.test(value);
  }
  // Substituted values are literal: a user named `*` must not become a wildcard.
  return (value, req) => expand(pattern, req, (v) => `${OPEN}${v}${CLOSE}`).some((s) => globWithLiterals(s).test(value));
}

function globWithLiterals(expanded: string): RegExp {
  const parts = expanded.split(SPLIT);
  // Even parts are glob text, odd parts substituted literals.
  return new RegExp(`^${parts.map((p, i) => (i % 2 === 0 ? globToRegex(p) : escapeRegex(p))).join('')}$`);
}

function compileIp(spec: string, where: string): (ip: string) => boolean {
  const [address, bits] = spec.split('/') as [string, string?];
  const family = isIP(address);
  if (family === 0) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: ${JSON.stringify(spec)} is not an IP address or CIDR block`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (bits === undefined) list.addAddress(address, type);
  else {
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new FerryError('FERRY_ERR_BAD_CONFIG', `${where}: bad prefix length in ${spec}`);
    list.addSubnet(address, prefix, type);
  }
  return (ip) => {
    const bare = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const f = isIP(bare);
    return f !== 0 && list.check(bare, f === 4 ? 'ipv4' : 'ipv6');
  };
}

export class Acl {
  readonly #rules: CompiledRule[];

  /** `where` prefixes problems (`registry.acl`); rules are checked when built. */
  constructor(rules: readonly AclRule[], where = 'registry.acl') {
    this.#rules = rules.map((rule, i) => compileRule(rule, `${where}[${i}]`));
  }

  /** The actions the first matching rule allows of those asked for; [] when none matches. */
  allowed(req: AclRequest, asked: readonly string[]): string[] {
    for (const rule of this.#rules) {
      if (!matches(rule, req)) continue;
      if (rule.actions.includes('*')) return [...asked];
      return asked.filter((a) => rule.actions.includes(a));
    }
    return [];
  }

  /** The intersection for every resource asked; each entry kept, perhaps with no actions. */
  authorize(who: Omit<AclRequest, 'type' | 'name'>, asked: readonly Access[]): Access[] {
    return asked.map((a) => ({ type: a.type, name: a.name, actions: this.allowed({ ...who, type: a.type, name: a.name }, a.actions) }));
  }
}

function compileRule(rule: AclRule, where: string): CompiledRule {
  const m = rule.match;
  const fields: CompiledRule['fields'] = [];
  for (const field of ['account', 'type', 'name', 'service'] as const) {
    const p = m[field];
    if (p !== undefined) fields.push({ field, test: compilePattern(p, `${where}.match.${field}`) });
  }
  const labels = Object.entries(m.labels ?? {}).map(([label, p]) => ({ label, test: compilePattern(p, `${where}.match.labels.${label}`) }));
  return { fields, labels, actions: rule.actions, ...(m.ip !== undefined ? { ip: compileIp(m.ip, `${where}.match.ip`) } : {}) };
}

function matches(rule: CompiledRule, req: AclRequest): boolean {
  for (const f of rule.fields) if (!f.test(req[f.field], req)) return false;
  if (rule.ip && !rule.ip(req.ip)) return false;
  for (const l of rule.labels) {
    const values = req.labels[l.label] ?? [];
    if (!values.some((v) => l.test(v, req))) return false;
  }
  return true;
}
