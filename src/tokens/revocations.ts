// A persisted deny list of token ids (jti) and certificate serials; it survives restarts.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FerryError, messageOf } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

export interface RevokedJti {
  jti: string;
  /** The token's own `exp` (epoch seconds): after it the entry is useless and gets pruned. */
  expiresAt?: number;
  revokedAt: number;
}

export interface RevokedSerial {
  /** Lowercase hex without separators or leading zeros. */
  serial: string;
  revokedAt: number;
}

export interface Revocations {
  jtis: RevokedJti[];
  serials: RevokedSerial[];
}

const FILE_SCHEMA = z.object({
  version: z.literal(1),
  jtis: z.array(
    z.object({
      jti: z.string().min(1),
      expiresAt: z.number().int().nonnegative().optional(),
      revokedAt: z.number().int().nonnegative(),
    }),
  ),
  serials: z.array(
    z.object({
      serial: z.string().refine((serial) => tryNormalizeSerial(serial) !== undefined, 'not a hex serial'),
      revokedAt: z.number().int().nonnegative(),
    }),
  ),
});

// Keep an expired jti a little past its exp, longer than any verifier's clock tolerance.
const PRUNE_GRACE_SECONDS = 300;
const MAX_JTI_LENGTH = 256;

export class RevocationList {
  readonly file: string;
  #jtis = new Map<string, RevokedJti>();
  #serials = new Map<string, RevokedSerial>();
  // Saves run one after another so an older snapshot never renames over a newer one.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string) {
    this.file = file;
  }

  static async open(file: string): Promise<RevocationList> {
    const list = new RevocationList(file);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await list.reload();
    return list;
  }

  /** Re-read the file (another controller replica may have revoked something). */
  async reload(): Promise<void> {
    const data = await readRevocationFile(this.file);
    const now = nowSeconds();
    this.#jtis = new Map(data.jtis.filter((entry) => !isStale(entry, now)).map((entry) => [entry.jti, entry]));
    this.#serials = new Map(
      data.serials.map((entry) => {
        const serial = normalizeSerial(entry.serial);
        return [serial, { serial, revokedAt: entry.revokedAt }];
      }),
    );
  }

  /** Deny a token id; `expiresAt` (the token's exp, epoch seconds) lets the entry be pruned later. */
  async revokeJti(jti: string, expiresAt?: number): Promise<void> {
    if (jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', `a jti must be 1–${MAX_JTI_LENGTH} characters`);
    }
    if (expiresAt !== undefined && (!Number.isSafeInteger(expiresAt) || expiresAt < 0)) {
      throw new FerryError('FERRY_ERR_BAD_INPUT', 'jti expiry must be whole epoch seconds');
    }
    const entry: RevokedJti = { jti, revokedAt: nowSeconds() };
    if (expiresAt !== undefined) entry.expiresAt = expiresAt;
    this.#jtis.set(jti, entry);
    await this.#save();
  }

  async revokeSerial(serialHex: string): Promise<void> {
    const serial = normalizeSerial(serialHex);
    this.#serials.set(serial, { serial, revokedAt: nowSeconds() });
    await this.#save();
  }

  isJtiRevoked(jti: string): boolean {
    return this.#jtis.has(jti);
  }

  isSerialRevoked(serialHex: string): boolean {
    const serial = tryNormalizeSerial(serialHex);
    return serial !== undefined && this.#serials.has(serial);
  }

  list(): Revocations {
    return {
      jtis: [...this.#jtis.values()].map((entry) => ({ ...entry })),
      serials: [...this.#serials.values()].map((entry) => ({ ...entry })),
    };
  }

  #save(): Promise<void> {
    const run = this.#queue.then(() => this.#write());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(): Promise<void> {
    const now = nowSeconds();
    for (const [jti, entry] of this.#jtis) if (isStale(entry, now)) this.#jtis.delete(jti);
    const body = { version: 1, ...this.list() };
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(body, null, 2)}\n`, 0o600);
    } catch (err) {
      // The entry already denies in memory; the caller learns it will not survive a restart.
      throw new FerryError('FERRY_ERR_IO', `cannot write revocation list ${this.file}: ${messageOf(err)}`, { cause: err });
    }
  }
}

/** Lowercase hex, no ':' or spaces, no leading zeros: openssl, Node and forge print serials differently. */
export function normalizeSerial(serialHex: string): string {
  const serial = tryNormalizeSerial(serialHex);
  if (serial === undefined) throw new FerryError('FERRY_ERR_BAD_INPUT', 'a certificate serial must be hex digits');
  return serial;
}

function tryNormalizeSerial(serialHex: string): string | undefined {
  const hex = serialHex.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) return undefined;
  return hex.replace(/^0+(?=.)/, '');
}

async function readRevocationFile(file: string): Promise<z.infer<typeof FILE_SCHEMA>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, jtis: [], serials: [] };
    throw new FerryError('FERRY_ERR_IO', `cannot read revocation list ${file}: ${messageOf(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `revocation list ${file} is not valid JSON`);
  }
  const parsed = FILE_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new FerryError('FERRY_ERR_BAD_CONFIG', `revocation list ${file} is malformed${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function isStale(entry: RevokedJti, now: number): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt + PRUNE_GRACE_SECONDS < now;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
