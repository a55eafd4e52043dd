// Writes the measured table into bench/README.md between two markers, with the machine
// and date, leaving the hand-written notes around it alone.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../testkit/project-root.js';
import { machineDescription } from '../lib/machine.js';
import type { ResultRow } from './result.js';
import { markdownTable } from './table.js';

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

export async function writeReadme(rows: readonly ResultRow[], mode: string, load: string): Promise<string> {
  const file = join(projectRoot(), 'bench', 'README.md');
  const block = [BEGIN, '', `Run: \`${mode}\`, ${new Date().toISOString()}`, '', await machineDescription(), '', load, '', markdownTable(rows), '', END].join('\n');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = `# ferry benchmarks\n\n${BEGIN}\n${END}\n`;
  }
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next = start >= 0 && end > start ? text.slice(0, start) + block + text.slice(end + END.length) : `${text}\n${block}\n`;
  await writeFile(file, next);
  return file;
}
