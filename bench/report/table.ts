// The results as a markdown table: one column per path, ferry's ratios against ssh -R and
// direct (>1 means ferry is better, whichever way the metric points), and the target.
import { PATH_NAMES } from '../peers/path.js';
import type { ResultRow } from './result.js';

function fmt(v: number | undefined): string {
  if (v === undefined) return '';
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** How many times better ferry is than `other` (>1 better). */
export function advantage(row: ResultRow, other: 'ssh -R' | 'direct'): number | undefined {
  const f = row.values.ferry;
  const o = row.values[other];
  if (row.ratios === false) return undefined;
  if (f === undefined || o === undefined || !Number.isFinite(f) || !Number.isFinite(o) || f <= 0 || o <= 0) return undefined;
  return row.higherIsBetter ? f / o : o / f;
}

function verdict(row: ResultRow): string {
  if (!row.target) return '';
  const mark = row.target.met === undefined ? '?' : row.target.met ? '**met**' : '**not met**';
  return `${row.target.text}: ${mark}`;
}

export function markdownTable(rows: readonly ResultRow[]): string {
  const head = ['scenario', 'metric', 'unit', ...PATH_NAMES, 'ferry vs ssh -R', 'ferry vs direct', 'target (ferry)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  for (const r of rows) {
    const vs = (o: 'ssh -R' | 'direct') => {
      const a = advantage(r, o);
      return a === undefined ? '' : `${fmt(a)}×`;
    };
    const cells = [r.scenario, r.metric + (r.note ? ` (${r.note})` : ''), r.unit, ...PATH_NAMES.map((p) => fmt(r.values[p])), vs('ssh -R'), vs('direct'), verdict(r)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
