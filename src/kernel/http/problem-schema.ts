/** The problem+json answer (RFC 9457) every error takes: one schema for the server, the OpenAPI document and the console. */
import { z } from 'zod';

export const problemDto = z.object({
  type: z.string().describe('https://gongshu.dev/problems/<code>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('stable error code (listed per status in each response)'),
  instance: z.string().describe('the request id'),
  field: z.string().optional().describe('the field at fault, when one is'),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemDto>;
