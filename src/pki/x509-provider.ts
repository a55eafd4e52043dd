// @peculiar/x509 needs reflect-metadata loaded before it and a WebCrypto provider;
// every pki file imports x509 through here so that setup happens exactly once.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
export const subtle = webcrypto.subtle;
