// Allow lists for people (ID-token and login callers): which agents and routes a user or a
// group may reach. Default deny: with no rule, nobody gets through.
import type { AccessRule } from '../config/oidc-config.js';

export interface RouteName {
  agent: string;
  type: string;
  name: string;
}

function matchesPattern(pattern: string, value: string): boolean {
  return pattern === '*' || pattern === value;
}

function routeMatches(pattern: string, route: RouteName): boolean {
  if (pattern === '*') return true;
  const [type, name] = pattern.split('/') as [string, string];
  return type === route.type && matchesPattern(name, route.name);
}

function personMatches(rule: AccessRule, subject: string, groups: readonly string[]): boolean {
  if (rule.users === undefined && rule.groups === undefined) return true;
  if (rule.users?.includes(subject)) return true;
  return rule.groups?.some((g) => groups.includes(g)) ?? false;
}

/** True when any rule lets this person use this route. */
export function accessAllows(rules: readonly AccessRule[], subject: string, groups: readonly string[], route: RouteName): boolean {
  return rules.some(
    (r) => personMatches(r, subject, groups) && r.agents.some((a) => matchesPattern(a, route.agent)) && r.routes.some((p) => routeMatches(p, route)),
  );
}
