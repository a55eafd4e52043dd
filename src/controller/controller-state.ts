// The controller's persistent state, opened from one state store in its dataDir:
// revocations, token keys (certified by the CA, so tokens carry x5c) and the agent book.
// Revocations and the book follow the store, so another controller process sharing the
// folder is heard at once; token keys are re-read on SIGHUP.
import type { ControllerConfig } from '../config/controller-config.js';
import { messageOf } from '../errors.js';
import type { LogFn } from '../observability/log-fn.js';
import type { CertificateAuthority } from '../pki/index.js';
import type { StateStore } from '../state/index.js';
import { RevocationList, TokenKeyStore } from '../tokens/index.js';
import { AgentBook } from './control-api/agent-book.js';
import { openStore } from './open-store.js';

export interface ControllerState {
  store: StateStore;
  revocations: RevocationList;
  keys: TokenKeyStore;
  book: AgentBook;
  close(): Promise<void>;
}

// A token key signs until it is rotated; a year, renewed at two thirds (see key-certification.ts).
const TOKEN_KEY_CERT_DAYS = 365;
const DAY_MS = 86_400_000;

/** Opens the state in `config.dataDir`, or in `shared` (an embedder's store; then left open on close). */
export async function openControllerState(
  config: ControllerConfig,
  ca: CertificateAuthority,
  log: LogFn,
  shared?: StateStore,
  replicaId?: string,
): Promise<ControllerState> {
  const onError = (what: string) => (err: unknown) => log('warn', `state: ${what}`, { error: messageOf(err) });
  const store = shared ?? (await openStore(config, log, replicaId));
  const closeStore = () => (shared ? Promise.resolve() : store.close());
  try {
    const freshAt = store.freshAt?.bind(store);
    const revocations = await RevocationList.onStore(store, {
      onError: onError('bad revocation entry'),
      // A replica that lost its database refuses tokens (503) once its list may be stale.
      ...(freshAt ? { freshness: { freshAt, maxStalenessMs: config.store.maxStaleness * 1000 } } : {}),
    });
    const keys = await TokenKeyStore.onStore(store, {
      issuer: `ferry:${ca.trustDomain}`,
      certify: (publicKeyPem) => Promise.resolve(certifyTokenKey(ca, publicKeyPem)),
      onError: onError('token keys not reloaded'),
      // Token keys change by an operator's hand (a file dropped into token-keys/), and
      // the README promises they take effect on SIGHUP; revocations and the book are
      // what another replica must hear at once.
      // In a database there is no operator's hand: follow another replica's rotation at once.
      watch: config.store.kind === 'postgres',
    });
    const book = await AgentBook.onStore(store);
    return {
      store,
      revocations,
      keys,
      book,
      async close() {
        await Promise.all([revocations.close(), keys.close(), book.close()]);
        await closeStore();
      },
    };
  } catch (err) {
    await closeStore();
    throw err;
  }
}

/** [token key certificate, CA certificate]: the chain a JWT's x5c carries. */
function certifyTokenKey(ca: CertificateAuthority, publicKeyPem: string): string[] {
  // Never past the CA's own expiry: a chain is only as good as its root.
  const notAfter = new Date(Math.min(Date.now() + TOKEN_KEY_CERT_DAYS * DAY_MS, Date.parse(ca.nodeCert.validTo)));
  const { certPem } = ca.certifyPublicKey(publicKeyPem, 'ferry token signer', { notAfter });
  return [certPem, ca.certPem];
}
