/** Zod schemas of the region code API (shared with the web console). */
import { z } from 'zod';

export const region = z.object({
  code: z.string(),
  name: z.string(),
  level: z.number().int(),
  parent: z.string().nullable(),
});
export const regionQuery = z.object({
  q: z.string().max(50).optional(),
  parent: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
