// Values that hold private keys (token keys) are sealed before they reach a shared database:
// AES-256-GCM with a key every replica reads from a mounted file, the state key as the
// additional data (a sealed value moved to another key does not open). A database dump or
// a SELECT shows only the envelope.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import type { JsonValue } from './store.js';

const SEALED = '$ferrySealed';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class ValueCipher {
  /** The first 8 hex digits of the key's SHA-256: says which key sealed a value, reveals nothing. */
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new FerryError('FERRY_ERR_BAD_CONFIG', `a store key must be 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /**
   * Reads the key from a file: 32 raw bytes, or 64 hex digits, or base64 of 32 bytes
   * (e.g. `openssl rand -base64 32 > store.key`). Errors name the file, never its content.
   */
  static async fromFile(file: string): Promise<ValueCipher> {
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (err) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot read the store key file ${file}: ${messageOf(err)}`, { cause: err });
    }
    const key = parseKey(raw);
    if (!key) {
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `store key file ${file} must hold 32 bytes (raw, 64 hex digits or base64), e.g. from \`openssl rand -base64 32\``);
    }
    return new ValueCipher(key);
  }

  seal(stateKey: string, value: JsonValue): JsonValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(stateKey, 'utf8'));
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return { [SEALED]: 1, kid: this.keyId, iv: iv.toString('base64'), data: Buffer.concat([data, cipher.getAuthTag()]).toString('base64') };
  }

  open(stateKey: string, stored: JsonValue): JsonValue {
    if (!isSealed(stored)) return stored;
    const iv = Buffer.from(textOf(stored.iv), 'base64');
    const all = Buffer.from(textOf(stored.data), 'base64');
    if (iv.length !== IV_BYTES || all.length < TAG_BYTES) throw new FerryError('FERRY_ERR_BAD_CONFIG', `sealed value ${stateKey} is malformed`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(stateKey, 'utf8'));
      decipher.setAuthTag(all.subarray(all.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(all.subarray(0, all.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as JsonValue;
    } catch (err) {
      const which = stored.kid === this.keyId ? '' : ` (sealed with key ${textOf(stored.kid)}, this store key is ${this.keyId})`;
      throw new FerryError('FERRY_ERR_BAD_CONFIG', `cannot open sealed value ${stateKey}: wrong store key or tampered data${which}`, { cause: err });
    }
  }
}

export function isSealed(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value[SEALED] === 1;
}

function textOf(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function parseKey(raw: Buffer): Buffer | undefined {
  if (raw.length === 32) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, 'base64');
    if (decoded.length === 32) return decoded;
  }
  return undefined;
}
