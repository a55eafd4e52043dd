// `npm run gen:descriptor`: writes tunnel.proto as a protobufjs JSON descriptor into a
// TypeScript module, so the protocol travels with the compiled code (no .proto file to
// find at run time, in a bundle or an installed copy). test/gen.test.ts checks it is current.
import { writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const [proto, out] = process.argv.slice(2);
if (!proto || !out) {
  process.stderr.write('usage: gen-proto-descriptor.mjs <file.proto> <out.ts>\n');
  process.exit(2);
}
const root = protobuf.loadSync(proto);
const text = [
  `// Generated from ${proto} by scripts/gen-proto-descriptor.mjs (npm run gen): do not edit.`,
  "import type { INamespace } from 'protobufjs';",
  '',
  // protobufjs's INamespace typing lacks map fields' keyType and wants method comments.
  `export const TUNNEL_DESCRIPTOR = ${JSON.stringify(root.toJSON(), null, 2)} as unknown as INamespace;`,
  '',
].join('\n');
writeFileSync(out, text);
