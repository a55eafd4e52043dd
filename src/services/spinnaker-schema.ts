// The Spinnaker types' own config key.
import { z } from 'zod';

export const SPINNAKER_TYPES = ['clouddriver', 'front50', 'fiat'] as const;

export const spinnakerSchema = z.strictObject({
  /**
   * Callers allowed to speak for other users in X-Spinnaker-User (Spinnaker services);
   * default: the service's own credential, `<name>.<agent>`. Anyone else may only be themselves.
   */
  trustedCallers: z.array(z.string().min(1)).optional(),
});

export type SpinnakerConfig = z.infer<typeof spinnakerSchema>;
