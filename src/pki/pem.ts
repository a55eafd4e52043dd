// PEM <-> DER helpers. Kept strict: a "PEM" without the expected armour is refused,
// so a wrong file is reported as such instead of failing deep inside a parser.

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

export function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block in the text, in order, as {label, der}. */
export function pemBlocks(text: string): Array<{ label: string; der: Buffer }> {
  const out: Array<{ label: string; der: Buffer }> = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    out.push({ label: m[1] ?? '', der: Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

/** The DER of the first block with the given label, or undefined. */
export function firstPemBlock(text: string, label: string): Buffer | undefined {
  return pemBlocks(text).find((b) => b.label === label)?.der;
}

export function looksLikePem(text: string): boolean {
  return pemBlocks(text).length > 0;
}
