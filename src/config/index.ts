// The config library's public surface.
export { loadConfigFile, parseConfigText, type ConfigLoadOptions } from './load-yaml.js';
export { ConfigError, formatProblem, formatKeyPath, type ConfigProblem } from './config-error.js';
export { collectEnvOverrides, type EnvOverride, type EnvOverrideOptions } from './env-overrides.js';
export { durationSchema, parseDuration, formatDuration } from './duration.js';
export { listenSchema, parseListen, formatListen, DEFAULT_LISTEN_HOST, type ListenAddress } from './listen.js';
export { looksSecret } from './secret-keys.js';
