// Relative paths in a service entry are read from the config file's folder: the helpers
// the shared keys and each type's own schema use.
import type { SecretSource } from '../config/agent-config.js';

export type PathResolver = (p: string) => string;

export function resolveSource(src: SecretSource, at: PathResolver): SecretSource {
  if (src.file !== undefined) return { file: at(src.file) };
  if (src.secret !== undefined) return { secret: { dir: at(src.secret.dir), key: src.secret.key } };
  return src;
}
