// The `--help` section listing which environment variables override which config keys,
// generated from the same map the loader uses so the two cannot drift apart.
export const ENV_PREFIX = 'FERRY_';

export function envHelp(envMap: Readonly<Record<string, string>>): string {
  const rows = Object.entries(envMap).map(([name, key]) => [`${ENV_PREFIX}${name}`, key] as const);
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    '',
    'Environment variables override these config keys (an empty value counts as unset):',
    ...rows.map(([name, key]) => `  ${name.padEnd(width)}  ${key}`),
    `  ${'FERRY_DEBUG'.padEnd(width)}  debug logs for subsystems, e.g. "agents,frontdoor" or "*"`,
    '',
    'Signals: SIGTERM/SIGINT drain and stop (a second one exits at once); SIGHUP reloads',
    'credentials. Errors name the file, line, column and key; exit code 1.',
  ].join('\n');
}
