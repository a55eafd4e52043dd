// `npm run gen:version`: writes package.json's version into a module, so the running code
// knows its version without finding package.json (bundles, installed copies).
// test/gen.test.ts checks it is current.
import { readFileSync, writeFileSync } from 'node:fs';

const [out] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: gen-version.mjs <out.ts>\n');
  process.exit(2);
}
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
writeFileSync(out, `// Generated from package.json by scripts/gen-version.mjs (npm run gen): do not edit.\nexport const FERRY_VERSION = ${JSON.stringify(version)};\n`);
