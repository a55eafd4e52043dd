// One way for a client to reach the upstreams: direct, through nginx, through ssh -R or
// through ferry. Every path reaches the same two upstreams: nginx serving files and the
// node upstream (uploads, endless streams).
export type PathName = 'direct' | 'nginx' | 'ssh -R' | 'ferry';

export const PATH_NAMES: readonly PathName[] = ['direct', 'nginx', 'ssh -R', 'ferry'];

export interface Endpoint {
  /** e.g. http://127.0.0.1:8080 or https://127.0.0.1:9002 (no trailing slash). */
  base: string;
  /** Headers every request carries (ferry's X-Ferry-Token). */
  headers: Record<string, string>;
}

export interface BenchPath {
  name: PathName;
  files: Endpoint;
  node: Endpoint;
}

export function headerArgs(flag: string, headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([k, v]) => [flag, `${k}: ${v}`]);
}
