/**
 * The sharing module's contracts: the request and response bodies of its data services, shared by
 * the routes, the OpenAPI document (and the clients generated from it) and the console.
 */
import { z } from 'zod';

/** The data services a grant may name. */
export const SERVICES = ['query', 'verify', 'statistics', 'file', 'push'] as const;

export const queryBody = z.object({
  filters: z.record(z.string(), z.string().max(200)).default({}),
  limit: z.number().int().min(1).max(100).default(20),
  offset: z.number().int().min(0).max(100_000).default(0),
});
export const verifyBody = z.object({ values: z.record(z.string(), z.string().max(500)) });
export const statsBody = z.object({
  groupBy: z.array(z.string().max(63)).max(3).default([]),
  measures: z.array(z.object({ fn: z.enum(['count', 'sum', 'avg', 'min', 'max']), item: z.string().max(63).optional() })).min(1).max(10).default([{ fn: 'count' }]),
});

/** A record under objection, as consumers see it: the row of this answer (null: the whole resource), the item if one, since when. */
export const flag = z.object({
  row: z.number().int().nullable(), field: z.string().nullable(), objectionId: z.number().int(), since: z.string(), note: z.string(),
});
export type FlagDto = z.infer<typeof flag>;

export const queryAnswer = z.object({
  /** granted fields only, each masked as granted; values as text (null when empty) */
  rows: z.array(z.record(z.string(), z.string().nullable())),
  limit: z.number().int(),
  offset: z.number().int(),
  flags: z.array(flag),
});
export const verifyAnswer = z.object({
  found: z.boolean(),
  fields: z.record(z.string(), z.enum(['match', 'no_match'])),
  flags: z.array(flag),
});
export const statisticsAnswer = z.object({
  /** groups of fewer than k subjects are not returned */
  k: z.number().int(),
  suppressedGroups: z.number().int(),
  groups: z.array(z.object({
    subjects: z.number().int(),
    values: z.array(z.object({ fn: z.enum(['count', 'sum', 'avg', 'min', 'max']), item: z.string().optional(), value: z.number().nullable() })),
  }).catchall(z.unknown().describe('the group\'s value of each groupBy item, by item name'))),
});
export const objectionCreated = z.object({ id: z.number().int(), status: z.string(), due: z.string() });
