// Turns a webhook's JSON object into a typed answer, or throws a short reason (the
// transport then treats the answer as temporary and asks again).
import type { z } from 'zod';

export function decodeWith<S extends z.ZodType>(schema: S, answer: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw new Error(`answer is not ${what} (${where}${first?.message ?? 'invalid'})`);
}
