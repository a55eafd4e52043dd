// The aws type's own config key: the region, the signing name and the agent's keys.
import { z } from 'zod';
import { secretSourceSchema } from '../config/agent-config.js';
import { resolveSource, type PathResolver } from './service-paths.js';

export const awsSchema = z.strictObject({
  region: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS region such as eu-west-1'),
  service: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS signing name such as s3 or sts'),
  accessKeyId: secretSourceSchema,
  secretAccessKey: secretSourceSchema,
  sessionToken: secretSourceSchema.optional(),
});

export type AwsConfig = z.infer<typeof awsSchema>;

export function resolveAwsPaths<S extends { aws?: AwsConfig | undefined }>(s: S, at: PathResolver): S {
  if (!s.aws) return s;
  return {
    ...s,
    aws: {
      ...s.aws,
      accessKeyId: resolveSource(s.aws.accessKeyId, at),
      secretAccessKey: resolveSource(s.aws.secretAccessKey, at),
      sessionToken: s.aws.sessionToken && resolveSource(s.aws.sessionToken, at),
    },
  };
}
