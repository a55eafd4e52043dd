// The auth webhook's JSON, as ContainerSSH sends and accepts it (`/password`, `/pubkey`,
// `/authz`), plus ferry's own endpoints in the same style where ContainerSSH has none
// (`/token` for a bearer token, `/certificate` for a client certificate). Requests are
// checked strictly on the server side; answers are read loosely on the client side (an
// unknown field is ignored with a warning, see unknown-fields.ts).
import { z } from 'zod';

/** `ip:port`, or `[ipv6]:port`, as ContainerSSH writes a TCP address. */
export const remoteAddressSchema = z.string().regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/, 'remoteAddress must be "ip:port"');

/** Standard base64 with padding (what Go's encoding/json writes for bytes). */
export const base64Schema = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'not base64');

export const metadataEntrySchema = z.object({
  value: z.string(),
  /** Applied, but never sent to a later webhook nor logged. */
  sensitive: z.boolean().default(false),
});
export type MetadataEntry = z.output<typeof metadataEntrySchema>;

export const metadataMapSchema = z.record(z.string(), metadataEntrySchema);
export type MetadataMap = z.output<typeof metadataMapSchema>;

/** What every request carries about the connection (ContainerSSH's ConnectionAuthPendingMetadata). */
export const connectionFields = {
  username: z.string(),
  remoteAddress: remoteAddressSchema,
  connectionId: z.string().min(1),
  clientVersion: z.string().default(''),
  metadata: metadataMapSchema.optional(),
  environment: metadataMapSchema.optional(),
  files: metadataMapSchema.optional(),
};

export const passwordRequestSchema = z.strictObject({ ...connectionFields, passwordBase64: base64Schema });
export type PasswordRequest = z.output<typeof passwordRequestSchema>;

/** `publicKey` in the authorized-keys format ("ssh-ed25519 AAAA…"). Kept for ContainerSSH parity. */
export const publicKeyRequestSchema = z.strictObject({ ...connectionFields, publicKey: z.string().min(1) });
export type PublicKeyRequest = z.output<typeof publicKeyRequestSchema>;

export const authzRequestSchema = z.strictObject({ ...connectionFields, authenticatedUsername: z.string() });
export type AuthzRequest = z.output<typeof authzRequestSchema>;

/** ferry's own: a bearer token that is not a ferry JWT. `username` is empty (a token names nobody until checked). */
export const tokenRequestSchema = z.strictObject({ ...connectionFields, token: z.string().min(1) });
export type TokenRequest = z.output<typeof tokenRequestSchema>;

export const certificateIdentitySchema = z.strictObject({
  /** The subject DN, one RDN a line as Node prints it. */
  subject: z.string(),
  commonName: z.string().default(''),
  organizations: z.array(z.string()).default([]),
  uris: z.array(z.string()).default([]),
  dnsNames: z.array(z.string()).default([]),
  serialNumber: z.string(),
  fingerprint256: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});
export type CertificateIdentity = z.output<typeof certificateIdentitySchema>;

/** ferry's own: a client certificate's identity, the certificate and its public key (PEM). */
export const certificateRequestSchema = z.strictObject({
  ...connectionFields,
  identity: certificateIdentitySchema,
  certificatePem: z.string().includes('-----BEGIN CERTIFICATE-----'),
  publicKeyPem: z.string().includes('-----BEGIN PUBLIC KEY-----'),
});
export type CertificateRequest = z.output<typeof certificateRequestSchema>;

/** Every endpoint answers this (ContainerSSH's AuthResponseBody); a refusal is 200 + success:false. */
export const authAnswerSchema = z.looseObject({
  success: z.boolean(),
  authenticatedUsername: z.string().optional(),
  metadata: metadataMapSchema.optional(),
  environment: metadataMapSchema.optional(),
  files: metadataMapSchema.optional(),
});
export type AuthAnswer = z.input<typeof authAnswerSchema>;
export type DecodedAuthAnswer = z.output<typeof authAnswerSchema>;
/** Field names of an answer that are not warned about. */
export const AUTH_ANSWER_FIELDS: ReadonlySet<string> = new Set(['success', 'authenticatedUsername', 'metadata', 'environment', 'files']);

export const AUTH_ENDPOINTS = ['password', 'pubkey', 'authz', 'token', 'certificate'] as const;
export type AuthEndpoint = (typeof AUTH_ENDPOINTS)[number];
