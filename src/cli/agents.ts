// `ferry agents`: the connected agents, as a table (or JSON).
import type { Command } from 'commander';
import { CONTROL_PATHS, type AgentSessionView } from '../api/control-client.js';
import { addControlOptions, controlClientFrom } from './get-creds.js';

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

export function agentsTable(agents: readonly AgentSessionView[], now = Date.now()): string {
  const header = ['AGENT', 'SESSION', 'HOSTNAME', 'VERSION', 'SERVICES', 'CONNECTED', 'LAST SEEN', 'STREAMS'];
  const rows = agents.map((a) => [
    a.agent,
    a.session.slice(0, 8),
    a.hostname,
    a.version,
    a.services.map((s) => `${s.type}/${s.name}${s.healthy ? '' : '(unhealthy)'}`).join(',') || '-',
    ago(a.connectedAt, now),
    ago(a.lastSeen, now),
    String(a.openStreams),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function registerAgents(program: Command): void {
  addControlOptions(program.command('agents').description('list the agents connected to the controller').option('--json', 'print JSON')).action(
    async (o: Parameters<typeof controlClientFrom>[0] & { json?: boolean }) => {
      const client = await controlClientFrom(o);
      try {
        const { agents } = await client.get<{ agents: AgentSessionView[] }>(CONTROL_PATHS.agents);
        process.stdout.write(o.json ? `${JSON.stringify(agents, null, 2)}\n` : agents.length === 0 ? 'no agents connected\n' : agentsTable(agents));
      } finally {
        await client.close();
      }
    },
  );
}
