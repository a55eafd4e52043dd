// The claims every ferry JWT carries, and the audience strings that scope a token to one target.

export const PURPOSES = ['service', 'control', 'kubectl', 'bootstrap', 'user'] as const;
export type TokenPurpose = (typeof PURPOSES)[number];

export interface FerryClaims {
  iss: string;
  sub: string;
  /** Always a single string: docker registry 2.8 refuses an array `aud` as malformed. */
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  purpose: TokenPurpose;
  agent?: string;
  type?: string;
  name?: string;
  groups?: string[];
}

export function serviceAudience(agent: string, type: string, name: string): string {
  return `ferry:service:${agent}/${type}/${name}`;
}

export function controlAudience(): string {
  return 'ferry:control';
}

export function bootstrapAudience(agent: string): string {
  return `ferry:bootstrap:${agent}`;
}

export function kubectlAudience(agent: string, name: string): string {
  return serviceAudience(agent, 'kubernetes', name);
}
