// `ferry` loads only the named command's modules; help and typos still see every command.
import t from 'tap';
import { ferryOnce } from '../../testkit/processes.js';

const COMMANDS = ['make-ca', 'controller', 'agent', 'get-creds', 'agents', 'quickstart'];

void t.test('ferry --help lists every command', async (t) => {
  const help = await ferryOnce(['--help']);
  t.equal(help.code, 0);
  for (const c of COMMANDS) t.match(help.stdout, new RegExp(`^  ${c} `, 'm'), `lists ${c}`);
});

void t.test('a mistyped command gets a suggestion, exit 1', async (t) => {
  const typo = await ferryOnce(['agnet']);
  t.equal(typo.code, 1);
  t.match(typo.stderr, /unknown command 'agnet'/);
  t.match(typo.stderr, /Did you mean agent\?/);
});

void t.test('a mistyped command with --help is still a mistake (issue 17)', async (t) => {
  for (const flag of ['--help', '-h']) {
    const typo = await ferryOnce(['contoller', flag]);
    t.equal(typo.code, 1, `${flag}: exit 1`);
    t.match(typo.stderr, /unknown command 'contoller'\s+\(Did you mean controller\?\)/);
  }
});

void t.test('a global option before the command still finds the command', async (t) => {
  const help = await ferryOnce(['--debug', 'agent', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: ferry agent \[options\]/);
});
