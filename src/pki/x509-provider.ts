// @peculiar/x509 needs reflect-metadata loaded before it and a WebCrypto provider. Both
// change global state, so they happen on first use (loadX509), never at import: an
// application embedding ferry keeps its globals until it makes or reads a certificate.
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

export type { X509 };

let loading: Promise<typeof X509> | undefined;

/** The @peculiar/x509 module, set up once (later calls share the first load). */
export function loadX509(): Promise<typeof X509> {
  loading ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })();
  return loading;
}

export const subtle = webcrypto.subtle;
