// The import rules between src/ folders (issue 18; ../shared/architecture.json draws them).
// `npm run deps` checks them; npm test runs it before the tests, and test/architecture
// shows each rule refusing a deliberate violation.
/** @param {string} from @param {string[]} to @param {string} why */
const never = (name, from, to, why) => ({
  name,
  comment: why,
  severity: 'error',
  from: { path: `^src/(${from})/` },
  to: { path: `^src/(${to.join('|')})/` },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    never('controller-not-agent', 'controller', ['agent'], 'the two ends meet only through the tunnel'),
    never('agent-not-controller', 'agent', ['controller'], 'the two ends meet only through the tunnel'),
    never('core-knows-no-end', 'tunnel|relay', ['controller', 'agent'], 'the shared core knows neither end'),
    never('services-know-http', 'services', ['tunnel', 'gen', 'controller', 'agent'], 'a service type knows HTTP, not gRPC'),
    never('libraries-stay-libraries', 'pki|tokens|state', ['controller', 'agent', 'cli'], 'pki, tokens and state are libraries'),
    never('oidc-is-a-library', 'oidc', ['controller', 'agent', 'cli', 'tunnel', 'relay'], 'OIDC verification and client flows know neither end'),
    {
      name: 'webhooks-are-a-library',
      comment: 'webhook clients and servers know the front door only by its types',
      severity: 'error',
      from: { path: '^src/webhooks/' },
      to: { path: '^src/(controller|agent|cli|relay|tunnel)/', pathNot: '^src/controller/front-door/types[.]ts$' },
    },
    {
      name: 'registry-and-passwords-are-libraries',
      comment: 'the token server and password backends know the front door only by its types',
      severity: 'error',
      from: { path: '^src/(registry|passwords)/' },
      to: { path: '^src/(controller|agent|cli|relay|tunnel)/', pathNot: '^src/controller/front-door/types[.]ts$' },
    },
    {
      name: 'replicas-know-the-store',
      comment: 'the replica registry is told through the store and tells through events; it knows no server',
      severity: 'error',
      from: { path: '^src/controller/replicas/' },
      to: { path: '^src/(controller/(?!replicas/)|agent/|relay/|tunnel/|cli/)' },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'programs do not reach back to their entry points',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
